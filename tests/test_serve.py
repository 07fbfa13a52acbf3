"""The counter web page, through Flask's test client: search, the leaflet
page, the PDF and its preview, and every request that must be refused.

The builds are real: each PDF is made by the same warm workers as a batch,
into a private out/ folder, and read back.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from urllib.parse import quote

import pikepdf
import pytest
from conftest import LEAFLETS, ROOT

from generator.serve.app import SECURITY_HEADERS, create_app
from generator.serve.index import Index, fold
from generator.wording.settings import defaults

CHOICE = {"language": "en-GB", "brand": "default", "size": "standard", "paper": "a4", "edition": "full"}


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    root = tmp_path_factory.mktemp("serve")
    leaflets = root / "leaflets"
    leaflets.mkdir()
    for path in LEAFLETS:
        shutil.copy(path, leaflets / path.name)
    (leaflets / "broken.yaml").write_text("id: broken\ntitle: [unclosed\n", "utf-8")
    return leaflets, root / "out"


@pytest.fixture(scope="module")
def app(folders):
    leaflets, out = folders
    app = create_app(leaflets, out, defaults(), workers=1)
    yield app
    app.extensions["leaflet"]["builder"].close()


@pytest.fixture
def client(app):
    return app.test_client()


def found(client, query: str) -> list[str]:
    page = client.get("/", query_string={"q": query}).get_data(as_text=True)
    return [line.split('"')[1].rsplit("/", 1)[1] for line in page.splitlines() if line.startswith('<h2><a href="/leaflet/')]


def test_search_finds_by_name_brand_condition_and_a_few_letters(client):
    assert found(client, "klon") == ["clonazepam"]  # Klonopin, a brand name
    assert found(client, "Baclofen") == ["baclofen"]
    assert found(client, "IBU") == ["ibuprofen"]
    assert "clonazepam" in found(client, "spasms")  # a condition, in the uses
    assert found(client, "nothing like this") == []


def test_search_ignores_case_and_accents_and_finds_translations(client):
    assert found(client, "CLONAZÉPAM") == ["clonazepam"]
    assert found(client, "espasmos") == ["clonazepam"]  # the Spanish title
    assert found(client, "كلونازيبام") == ["clonazepam"]  # the Arabic one
    assert fold("Clonazépam") == fold("clonazepam")


def test_search_results_show_title_medicine_status_and_languages(client):
    page = client.get("/?q=clonazepam").get_data(as_text=True)
    assert "Clonazepam for muscle spasms" in page and "Clonazepam (Klonopin)" in page
    assert "Example: not approved by a pharmacist" in page
    assert "English (United Kingdom), Arabic (العربية), Spanish (español)" in page


def test_a_broken_leaflet_shows_its_problems_not_a_traceback(client):
    assert "broken" in found(client, "broken")
    response = client.get("/leaflet/broken")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "broken.yaml" in page and "Traceback" not in page


def test_the_leaflet_page_offers_every_choice_and_builds_the_real_pdf(client, folders):
    _, out = folders
    response = client.get("/leaflet/clonazepam", query_string={**CHOICE, "language": "es"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    for value in ("en-GB", "es", "ar", "riverside-pharmacy", "standard", "large", "extra-large", "a4", "letter", "sheet"):
        assert f'value="{value}"' in page
    assert 'name="language" value="es" checked' in page
    assert "Translation not yet checked by a pharmacist" in page
    pdf = out / "default" / "a4" / "standard" / "es" / "clonazepam.pdf"
    assert pdf.is_file(), "built where a matrix build puts it"
    with pikepdf.open(pdf) as document:
        pages = len(document.pages)
    assert f"{pages} pages: A4" in page

    opened = client.get("/leaflet/clonazepam/pdf", query_string={**CHOICE, "language": "es"})
    assert opened.status_code == 200 and opened.mimetype == "application/pdf"
    assert opened.get_data() == pdf.read_bytes()
    assert "attachment" not in opened.headers.get("Content-Disposition", "")
    download = client.get("/leaflet/clonazepam/pdf", query_string={**CHOICE, "language": "es", "download": "1"})
    assert "attachment" in download.headers["Content-Disposition"]

    image = client.get("/leaflet/clonazepam/page-1.png", query_string={**CHOICE, "language": "es"})
    assert image.status_code == 200 and image.get_data().startswith(b"\x89PNG")
    assert client.get("/leaflet/clonazepam/page-99.png", query_string=CHOICE).status_code == 404


def test_a_current_output_is_served_from_out_without_building(client, folders, app):
    _, out = folders
    client.get("/leaflet/baclofen/pdf", query_string=CHOICE)
    pdf = out / "default" / "a4" / "standard" / "en-GB" / "baclofen.pdf"
    before = pdf.stat().st_mtime_ns
    builder = app.extensions["leaflet"]["builder"]
    builder.queue_limit, limit = 0, builder.queue_limit  # any build now would be refused as busy
    try:
        assert client.get("/leaflet/baclofen/pdf", query_string=CHOICE).status_code == 200
        busy = client.get("/leaflet/baclofen/pdf", query_string={**CHOICE, "paper": "letter"})
        assert busy.status_code == 503 and busy.headers["Retry-After"]
        assert "Busy, try again" in busy.get_data(as_text=True)
    finally:
        builder.queue_limit = limit
    assert pdf.stat().st_mtime_ns == before


@pytest.mark.parametrize(
    "path",
    [
        "/leaflet/..%2F..%2Fpyproject.toml",
        "/leaflet/%2e%2e/pdf",
        "/leaflet/clonazepam/../../pyproject.toml",
        "/static/../pyproject.toml",
        "/static/%2e%2e/pyproject.toml",
        "/static/..%2Fpyproject.toml",
        "/static//etc/passwd",
        "/static/%2Fetc%2Fpasswd",
        "/leaflet/" + quote(str(ROOT / "leaflets" / "baclofen.yaml"), safe=""),
        "/out/default/a4/standard/en-GB/baclofen.pdf",
    ],
)
def test_no_request_reaches_a_file_outside_what_it_serves(client, path):
    # Doubled slashes are first redirected to the single-slash path, itself refused.
    response = client.get(path, follow_redirects=True)
    assert response.status_code in (400, 404), (path, response.status_code)
    assert b"[project]" not in response.get_data() and b"root:" not in response.get_data()


def test_a_symlink_among_the_styles_is_not_followed_out(app, client, tmp_path):
    from generator.resources import STYLES

    link = STYLES / "leak-test.txt"
    secret = tmp_path / "secret.txt"
    secret.write_text("not for the web", "utf-8")
    try:
        link.symlink_to(secret)
    except OSError:
        pytest.skip("cannot write into the styles folder here")
    try:
        response = client.get("/static/leak-test.txt")
        assert b"not for the web" not in response.get_data()
    finally:
        link.unlink()


@pytest.mark.parametrize(
    "query", [{"size": "huge"}, {"paper": "../etc"}, {"brand": "/etc"}, {"brand": "../brands/default"}, {"language": "fr"}, {"edition": "x"}]
)
def test_a_choice_that_is_not_offered_is_refused(client, query):
    response = client.get("/leaflet/clonazepam/pdf", query_string={**CHOICE, **query})
    assert response.status_code == 400
    assert "is not a" in response.get_data(as_text=True)


def test_every_page_has_the_security_headers_and_no_script(client):
    for path in ("/", "/?q=klon", "/leaflet/clonazepam?size=standard", "/leaflet/nowhere"):
        response = client.get(path)
        for name, value in SECURITY_HEADERS.items():
            assert response.headers[name] == value, (path, name)
        assert "<script" not in response.get_data(as_text=True)
    pdf = client.get("/leaflet/clonazepam/pdf", query_string=CHOICE)
    assert pdf.headers["X-Content-Type-Options"] == "nosniff" and "Content-Security-Policy" not in pdf.headers


def test_text_from_the_query_is_escaped(client):
    page = client.get("/", query_string={"q": '<img src=x onerror=alert(1)>'}).get_data(as_text=True)
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page


def test_a_form_posted_from_another_site_is_refused(client):
    for headers in ({"Origin": "https://elsewhere.example"}, {"Origin": "null"}, {"Sec-Fetch-Site": "cross-site"}, {}):
        response = client.post("/leaflet/clonazepam/print", data=CHOICE, headers=headers)
        assert response.status_code == 403, headers
        assert "only be sent from this site" in response.get_data(as_text=True)


def test_the_access_code_guards_every_page(folders):
    leaflets, out = folders
    app = create_app(leaflets, out, defaults(), access_code="counter-4821")
    client = app.test_client()
    for path in ("/", "/leaflet/clonazepam", "/leaflet/clonazepam/pdf"):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    wrong = client.post("/login?next=/", data={"code": "guess"}, headers={"Origin": "http://localhost"})
    assert wrong.status_code == 401 and "That is not the access code" in wrong.get_data(as_text=True)
    right = client.post("/login?next=//elsewhere.example/", data={"code": "counter-4821"}, headers={"Origin": "http://localhost"})
    assert right.status_code == 302 and right.headers["Location"] == "/"
    assert client.get("/?q=klon").status_code == 200


def test_the_index_groups_translations_under_their_source(folders):
    leaflets, _ = folders
    medicine = Index(leaflets).find("clonazepam")
    assert [edition.file.name for edition in medicine.editions] == ["clonazepam.yaml", "clonazepam.ar.yaml", "clonazepam.es.yaml"]
    assert medicine.languages == ["en-GB", "ar", "es"]


def test_an_edited_leaflet_shows_without_a_restart(tmp_path):
    leaflets = tmp_path / "leaflets"
    leaflets.mkdir()
    shutil.copy(LEAFLETS[0], leaflets / LEAFLETS[0].name)
    index = Index(leaflets)
    assert [m.id for m in index.search("")] == ["baclofen"]
    shutil.copy(LEAFLETS[1], leaflets / LEAFLETS[1].name)
    assert [m.id for m in index.search("")] == ["baclofen", "clonazepam"]
    (leaflets / LEAFLETS[0].name).unlink()
    assert index.find("baclofen") is None


def test_a_killed_worker_is_replaced(app, client):
    import os
    import signal

    builder = app.extensions["leaflet"]["builder"]
    assert client.get("/leaflet/baclofen/pdf", query_string={**CHOICE, "size": "large"}).status_code == 200
    for pid in list(builder._pool._processes):
        os.kill(pid, signal.SIGKILL)
    # The request that meets the dead worker may fail, cleanly; the next is built by a fresh one.
    first = client.get("/leaflet/baclofen/pdf", query_string={**CHOICE, "size": "large", "paper": "letter"})
    assert first.status_code in (200, 500) and b"Traceback" not in first.get_data()
    retried = client.get("/leaflet/baclofen/pdf", query_string={**CHOICE, "size": "large", "paper": "letter"})
    assert retried.status_code == 200 and retried.get_data().startswith(b"%PDF")


def test_a_relative_out_folder_is_served_from_where_the_command_ran(folders, tmp_path, monkeypatch):
    leaflets, _ = folders
    monkeypatch.chdir(tmp_path)
    app = create_app(leaflets, Path("out"), defaults(), workers=1)
    try:
        response = app.test_client().get("/leaflet/baclofen/pdf", query_string=CHOICE)
        assert response.status_code == 200 and response.get_data().startswith(b"%PDF")
        assert (tmp_path / "out" / "default" / "a4" / "standard" / "en-GB" / "baclofen.pdf").is_file()
    finally:
        app.extensions["leaflet"]["builder"].close()


def test_the_command_serves_the_page_and_warns_when_open_to_the_network(folders, tmp_path):
    """`leaflet serve` as `make serve` runs it: from the project folder, with a relative out/."""
    import socket
    import subprocess
    import time
    import urllib.request

    from conftest import LEAFLET_CMD

    leaflets, _ = folders
    shutil.copytree(leaflets, tmp_path / "leaflets", ignore=shutil.ignore_patterns("broken.yaml"))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log = tmp_path / "serve.log"
    server = subprocess.Popen(
        [str(LEAFLET_CMD), "serve", "--host", "0.0.0.0", "--port", str(port), "--jobs", "1"],
        cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=log.open("w"),
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/leaflet/baclofen/pdf", timeout=60) as response:
                    assert response.headers["Content-Type"] == "application/pdf" and response.read(5) == b"%PDF-"
                break
            except OSError:
                assert time.monotonic() < deadline and server.poll() is None, "the server did not start"
                time.sleep(0.3)
        assert (tmp_path / "out" / "default" / "a4" / "large" / "en-GB" / "baclofen.pdf").is_file()
    finally:
        server.terminate()  # as a service manager stops it
        assert server.wait(timeout=30) == 0
    text = log.read_text("utf-8")
    assert "anyone on the network can reach the page" in text and "LEAFLET_ACCESS_CODE" in text


def test_the_text_edition_is_offered_for_download(client):
    page = client.get("/leaflet/clonazepam", query_string=CHOICE).get_data(as_text=True)
    assert "/leaflet/clonazepam/download.txt?" in page
    response = client.get("/leaflet/clonazepam/download.txt", query_string=CHOICE)
    assert response.status_code == 200 and response.mimetype == "text/plain"
    assert "attachment" in response.headers["Content-Disposition"]
    assert "# Clonazepam for muscle spasms" in response.get_data(as_text=True)
    assert client.get("/leaflet/clonazepam/download.exe", query_string=CHOICE).status_code == 404
    braille = client.get("/leaflet/clonazepam/download.brf", query_string={**CHOICE, "language": "es"})
    assert braille.status_code == 200 and b"\f" in braille.get_data() and max(map(len, braille.get_data().split(b"\r\n"))) <= 41
