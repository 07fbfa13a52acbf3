"""Screenshots of the counter web page (``leaflet serve``) for the README.

    .venv/bin/python benchmarks/serve_screenshots.py

Serves the app on the sample leaflets, with a temporary out/ folder, and
takes two screenshots in headless Chromium (tests/browser.py; run
scripts/install-browser-tools.sh first) on a desktop screen 1280 px wide:

- docs/serve-search.png: the search for "klon" (900 px high);
- docs/serve-leaflet.png: the clonazepam leaflet at the defaults (English,
  large print, A4, full leaflet): the title, its review status, the
  choices and the start of the preview (a taller screen, 1500 px).
"""

from __future__ import annotations

import os
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import waitress  # noqa: E402
from browser import DESKTOP, Browser  # noqa: E402

from generator.serve.app import create_app  # noqa: E402
from generator.wording.settings import defaults  # noqa: E402

DOCS = ROOT / "docs"


def main() -> None:
    os.chdir(ROOT)  # brands are found in ./brands, as `make serve` finds them
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(ROOT / "leaflets", Path(tmp) / "out", defaults(), workers=1)
        server = waitress.create_server(app, host="127.0.0.1", port=0, threads=8)
        threading.Thread(target=server.run, daemon=True).start()
        url = f"http://127.0.0.1:{server.effective_port}"
        browser = Browser(Path(tmp))
        try:
            browser.open(f"{url}/?q=klon", DESKTOP)
            browser.screenshot(DOCS / "serve-search.png")

            browser.open(f"{url}/leaflet/clonazepam", {**DESKTOP, "height": 1500})
            browser.screenshot(DOCS / "serve-leaflet.png")
        finally:
            browser.close()
            server.close()
            app.extensions["leaflet"]["builder"].close()
    for name in ("serve-search.png", "serve-leaflet.png"):
        print(DOCS / name)


# The builds run in worker processes started by forkserver, which import this
# file again: only the main process may start the app.
if __name__ == "__main__":
    main()
