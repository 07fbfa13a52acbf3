"""Stage 2, render: Jinja templates to HTML, HTML to a tagged PDF/UA-1 with WeasyPrint, and the page geometry."""
