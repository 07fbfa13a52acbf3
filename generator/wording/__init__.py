"""Plain-language checks (`leaflet check`): readability, medical words, style, review date, settings and the report."""
