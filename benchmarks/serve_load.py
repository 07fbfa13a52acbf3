"""The counter web page under load: time to first byte from ``leaflet serve``.

Starts the app itself (2 warm workers, waitress with 8 threads) on
127.0.0.1 with a private copy of the sample leaflets and a private out
folder, and measures the time from sending a request to its status line
and headers arriving, for:

- a cached PDF, one already built and current by the manifest, one user;
- a first build, each request a combination not built yet (leaflet, size,
  paper, edition and brand all varied), one user; beside each, raw
  WeasyPrint renders the same combination's HTML in this process, and
  ``build_output`` (what a worker runs) builds it in this process, which
  splits the first build's cost into the pipeline's and the server's;
- 10 users at once, each making a fixed number of requests for a mix of
  cached PDFs, search pages and leaflet pages.

Counts are fixed and the whole run is capped (CAP_S): a phase that reaches
the cap stops early and says so.

    .venv/bin/python benchmarks/serve_load.py [CACHED] [FIRST] [PER_USER]
"""

from __future__ import annotations

import http.client
import itertools
import logging
import random
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

from common import SAMPLES, machine, median, timed

USERS = 10
CAP_S = 150  # the whole measured run; each phase stops early when it is reached
PREBUILT = ("baclofen", "clonazepam", "cyclobenzaprine", "ibuprofen")  # built before measuring: the cached outputs
CHOICE = {"language": "en-GB", "brand": "default", "size": "large", "paper": "a4", "edition": "full"}


def p95(values: list[float]) -> float:
    if len(values) < 2:
        return values[0]
    return statistics.quantiles(values, n=20, method="inclusive")[-1]


class Client:
    """One user: one keep-alive connection, a fresh one after an error."""

    def __init__(self, port: int):
        self.port = port
        self.conn: http.client.HTTPConnection | None = None

    def get(self, path: str) -> tuple[int, float]:
        """(status, seconds to the status line and headers); the body is read in full, not timed.
        Status 0: the connection failed."""
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=150)
            self.conn.connect()  # not in the time: a browser keeps its connection
        start = time.perf_counter()
        try:
            self.conn.request("GET", path)
            response = self.conn.getresponse()
            ttfb = time.perf_counter() - start
            response.read()
        except (OSError, http.client.HTTPException):
            self.close()
            return 0, time.perf_counter() - start
        if response.will_close:
            self.close()
        return response.status, ttfb

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def pdf_path(medicine: str, **choice: str) -> str:
    return f"/leaflet/{medicine}/pdf?" + urlencode({**CHOICE, **choice})


def page_path(medicine: str) -> str:
    return f"/leaflet/{medicine}?" + urlencode(CHOICE)


def main(cached_count: int = 50, first_count: int = 16, per_user: int = 20) -> int:
    import waitress
    from waitress import wasyncore

    from generator import load
    from generator.batch.build import build_output
    from generator.brand.load import available_brands, load_brand
    from generator.render.geometry import EDITIONS, PAPERS, SIZES, Options
    from generator.render.html import brand_stylesheet, render_html
    from generator.render.pdf import PDF_OPTIONS, renderer
    from generator.serve.app import create_app
    from generator.wording.settings import defaults

    # 10 users on 8 threads: waitress warns each time a request waits for a thread.
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    problems: list[str] = []
    with tempfile.TemporaryDirectory(prefix="serve-load-") as tmp:
        tmp = Path(tmp)
        leaflets = tmp / "leaflets"
        leaflets.mkdir()
        for sample in SAMPLES:
            shutil.copy(sample, leaflets / sample.name)
        app = create_app(leaflets, tmp / "out", defaults(), workers=2)
        server = waitress.create_server(app, host="127.0.0.1", port=0, threads=8)
        serving = threading.Thread(target=server.run, name="waitress", daemon=True)
        serving.start()
        port = server.effective_port
        clients: list[Client] = []
        try:
            started = time.perf_counter()
            one = Client(port)
            clients.append(one)

            # Warm up: both workers started, and the outputs the cached cases read built.
            warm: list[tuple[int, float]] = []
            users = [Client(port) for _ in range(2)]
            clients += users

            def build_some(client: Client, names: tuple[str, ...]) -> None:
                warm.extend(client.get(pdf_path(name)) for name in names)

            halves = [threading.Thread(target=build_some, args=(c, PREBUILT[i::2])) for i, c in enumerate(users)]
            for thread in halves:
                thread.start()
            for thread in halves:
                thread.join()
            if any(status != 200 for status, _ in warm):
                print(f"warm-up failed: {warm}", file=sys.stderr)
                return 1
            warm_up = time.perf_counter() - started
            coldest = max(ttfb for _, ttfb in warm)

            # Raw WeasyPrint in this process, as benchmarks/warm_batch.py does it.
            engine = renderer()
            weasyprint = engine._weasyprint
            brands = {folder.name: folder for folder in available_brands()}
            index = app.extensions["leaflet"]["index"]

            def prepare(medicine: str, brand: str, size: str, paper: str, edition: str):
                options = Options(paper=paper, size=size, edition=edition, brand=load_brand(brands[brand]))
                file = index.find(medicine).edition(CHOICE["language"]).file
                leaflet = load(file)
                return file, leaflet, options, render_html(leaflet, options), brand_stylesheet(options.chosen_brand)

            def raw(html: str, css: str) -> None:
                sheets = [engine._sheet(sheet) for sheet in (engine.base, css)]
                base_url = str(engine.base.parent) + "/"
                document = weasyprint.HTML(string=html, base_url=base_url, url_fetcher=engine.fetcher)
                document.write_pdf(stylesheets=sheets, font_config=engine.font_config, **PDF_OPTIONS)

            here = tmp / "here"  # build_output's outputs, outside the server's out folder
            for medicine in PREBUILT[:2]:  # first renders load fonts and fill caches
                file, leaflet, options, html, css = prepare(medicine, "default", "large", "a4", "full")
                raw(html, css)
                build_output(file, leaflet, options, "pdf", here / f"{medicine}.pdf")

            deadline = time.perf_counter() + CAP_S
            cut: list[str] = []

            # 1. A cached PDF, one user.
            cached, cached_bad = [], 0
            for _ in range(cached_count):
                if time.perf_counter() > deadline:
                    cut.append(f"cached: {len(cached)} of {cached_count}")
                    break
                status, ttfb = one.get(pdf_path("clonazepam"))
                if status == 200:
                    cached.append(ttfb)
                else:
                    cached_bad += 1

            # 2. First builds, one user, each beside raw WeasyPrint on the same combination.
            combinations = [
                (medicine, brand, size, paper, edition)
                for medicine, brand, size, paper, edition in itertools.product(
                    PREBUILT, brands, SIZES, PAPERS, EDITIONS
                )
                if (brand, size, paper, edition) != tuple(CHOICE[k] for k in ("brand", "size", "paper", "edition"))
            ]
            random.Random(20241201).shuffle(combinations)
            firsts, raws, pipeline, first_bad = [], [], [], []
            for medicine, brand, size, paper, edition in combinations[:first_count]:
                if time.perf_counter() > deadline:
                    cut.append(f"first build: {len(firsts)} of {first_count}")
                    break
                status, ttfb = one.get(pdf_path(medicine, brand=brand, size=size, paper=paper, edition=edition))
                if status != 200:
                    first_bad.append(f"{medicine} {brand} {size} {paper} {edition}: {status}")
                    continue
                firsts.append(ttfb)
                file, leaflet, options, html, css = prepare(medicine, brand, size, paper, edition)
                raws.append(timed(lambda: raw(html, css)))
                target = here / f"{len(firsts)}.pdf"
                pipeline.append(timed(lambda: build_output(file, leaflet, options, "pdf", target)))

            # 3. Ten users at once: cached PDFs, search pages and leaflet pages, in turn.
            mixed: dict[str, list[float]] = {"pdf": [], "search": [], "page": []}
            statuses: dict[int, int] = {}
            lock = threading.Lock()
            crowd = [Client(port) for _ in range(USERS)]
            clients += crowd

            def user(number: int, client: Client) -> None:
                for step in range(per_user):
                    if time.perf_counter() > deadline:
                        return
                    kind = ("pdf", "search", "page")[(number + step) % 3]
                    medicine = PREBUILT[(number + step) % len(PREBUILT)]
                    path = {"pdf": pdf_path(medicine), "search": "/?q=klon", "page": page_path(medicine)}[kind]
                    status, ttfb = client.get(path)
                    with lock:
                        statuses[status] = statuses.get(status, 0) + 1
                        if status == 200:
                            mixed[kind].append(ttfb)

            threads = [threading.Thread(target=user, args=(n, c)) for n, c in enumerate(crowd)]
            crowd_start = time.perf_counter()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            crowd_time = time.perf_counter() - crowd_start
            asked = sum(statuses.values())
            if asked < USERS * per_user:
                cut.append(f"{USERS} users: {asked} of {USERS * per_user}")
            total = time.perf_counter() - started
        finally:
            for client in clients:
                client.close()
            app.extensions["leaflet"]["builder"].close()
            server.task_dispatcher.shutdown()
            wasyncore.close_all(server._map)
            serving.join(timeout=10)

    everything = [t for times in mixed.values() for t in times]
    print(f"leaflet serve under load, 127.0.0.1, 2 workers, 8 threads ({machine()})")
    print(f"  warm-up (start 2 workers, build {len(PREBUILT)} outputs, 2 at a time): {warm_up:.1f} s, "
          f"slowest of those responses {coldest:.1f} s; whole run {total:.0f} s")
    print()
    print(f"  {'time to first byte':<36} {'n':>4} {'median':>9} {'p95':>9}")
    rows = [
        ("cached PDF, 1 user", cached),
        ("first build, 1 user", firsts),
        ("raw WeasyPrint, same combinations", raws),
        ("build_output in this process, same", pipeline),
        (f"{USERS} users, all requests", everything),
        (f"{USERS} users, cached PDF", mixed["pdf"]),
        (f"{USERS} users, search page", mixed["search"]),
        (f"{USERS} users, leaflet page", mixed["page"]),
    ]
    for name, times in rows:
        if times:
            print(f"  {name:<36} {len(times):>4} {median(times) * 1000:>6.0f} ms {p95(times) * 1000:>6.0f} ms")
    print()
    if firsts and raws:
        paired = median([f / r for f, r in zip(firsts, raws)])
        print(f"  first build / raw WeasyPrint: {paired:.2f} (median of the {len(firsts)} pairs); "
              f"{median(firsts) / median(raws):.2f} (medians), {p95(firsts) / p95(raws):.2f} (p95s)")
        print(f"    of which build_output / raw WeasyPrint {median([b / r for b, r in zip(pipeline, raws)]):.2f}, "
              f"first build / build_output {median([f / b for f, b in zip(firsts, pipeline)]):.2f} (medians of pairs)")
        print(f"  cached PDF: {median(cached) * 1000:.1f} ms median, "
              f"{median(cached) / median(raws):.3f} of a raw render")
    others = asked - statuses.get(200, 0) - statuses.get(503, 0)
    print(f"  {USERS} users: {asked} requests in {crowd_time:.1f} s, {asked / crowd_time:.1f} requests/s; "
          f"503: {statuses.get(503, 0)}; other not 200: {others}")
    if cached_bad:
        problems.append(f"{cached_bad} cached requests were not 200")
    if first_bad:
        problems.append("first builds not 200: " + "; ".join(first_bad))
    if cut:
        problems.append(f"stopped at the {CAP_S} s cap: " + ", ".join(cut))
    for problem in problems:
        print(f"  NOTE {problem}")
    return 1 if cached_bad or first_bad else 0


if __name__ == "__main__":
    sys.exit(main(*(int(a) for a in sys.argv[1:4])))
