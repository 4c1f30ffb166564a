"""The static dbt docs page, opened in headless Debian chromium.

The page is served over HTTP from a temp dir, as `make docs-serve` does;
every request it makes is recorded, and any that leaves the local server is
blocked and fails the test.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import re
import shutil
import tempfile
import threading
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGUMENTS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
FCT_TARGET = "model.autowatch.fct_target"
# Schemes that never reach a network.
LOCAL_SCHEMES = {"data", "blob", "about"}
# How long the page may take to draw its graph before the test gives up.
GRAPH_TIMEOUT_MILLISECONDS = 30_000

GRAPH_ELEMENTS_SCRIPT = """() => {
    const graph = angular.element(document.body).injector().get('graph');
    return graph.graph.elements.map((element) => element.group === 'nodes'
        ? {node: element.data.unique_id}
        : {source: element.data.source, target: element.data.target});
}"""


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *arguments):  # noqa: A002
        """Keep pytest's output clean."""


@contextlib.contextmanager
def serve(directory: Path):
    """An HTTP server on a free localhost port; yields its base URL."""
    handler = functools.partial(QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


class Browser:
    """Headless chromium that records every request and blocks remote ones."""

    def __init__(self, playwright, profile_dir: Path, base_url: str):
        self.base_url = base_url
        self.requests: list[str] = []
        self.context = playwright.chromium.launch_persistent_context(
            str(profile_dir),
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGUMENTS,
            viewport={"width": 1400, "height": 900},
        )
        self.context.on("request", lambda request: self.requests.append(request.url))
        self.context.route("**/*", self._allow_only_local)

    def _allow_only_local(self, route):
        if is_local(route.request.url, self.base_url):
            route.continue_()
        else:
            route.abort()

    def open(self, fragment: str):
        page = self.context.new_page()
        page.goto(f"{self.base_url}/index.html#!/{fragment}")
        page.wait_for_function(
            "() => window.angular && angular.element(document.body).injector()"
            " && angular.element(document.body).injector().get('graph')"
            ".graph.elements.length > 0",
            timeout=GRAPH_TIMEOUT_MILLISECONDS,
        )
        return page

    def remote_requests(self) -> list[str]:
        return [url for url in self.requests if not is_local(url, self.base_url)]


def is_local(url: str, base_url: str) -> bool:
    return url.startswith(base_url + "/") or urlsplit(url).scheme in LOCAL_SCHEMES


@pytest.fixture(scope="module")
def playwright_driver():
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing; `make test` installs it (apt-get install chromium)"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="module")
def site(docs_paths, tmp_path_factory) -> Path:
    """The generated page, alone in a directory, as `make docs` leaves it."""
    directory = tmp_path_factory.mktemp("site")
    shutil.copyfile(
        docs_paths.dbt_target_dir / "static_index.html", directory / "index.html"
    )
    return directory


@pytest.fixture
def browser(playwright_driver, site):
    with serve(site) as base_url, tempfile.TemporaryDirectory() as profile:
        opened = Browser(playwright_driver, Path(profile), base_url)
        yield opened
        opened.context.close()


def embedded_manifest(page_file: Path) -> dict:
    """The manifest the static page carries inline, as `manifest:{...}`."""
    text = page_file.read_text(encoding="utf-8")
    marker = 'manifest:{"metadata": '
    assert text.count(marker) == 1, "no single inline manifest in the page"
    manifest, _ = json.JSONDecoder().raw_decode(text, text.index(marker) + 9)
    return manifest


def test_model_page_shows_its_lineage_from_raw_source(browser, tmp_path):
    page = browser.open(f"model/{FCT_TARGET}?g_v=1&g_i={quote('+fct_target', safe='')}")

    elements = page.evaluate(GRAPH_ELEMENTS_SCRIPT)

    nodes = {element["node"] for element in elements if "node" in element}
    edges = {
        (element["source"], element["target"])
        for element in elements
        if "source" in element
    }
    assert nodes == {
        "source.autowatch.curated.targets",
        "model.autowatch.stg_curated__targets",
        FCT_TARGET,
    }
    assert edges == {
        ("source.autowatch.curated.targets", "model.autowatch.stg_curated__targets"),
        ("model.autowatch.stg_curated__targets", FCT_TARGET),
    }
    page.wait_for_timeout(500)  # lets the graph's layout animation settle
    # Drawn where a person would see it; into tmp_path, so a test run
    # leaves the README's copy (docs/fct_target_lineage.png) as committed.
    screenshot = tmp_path / "fct_target_lineage.png"
    page.screenshot(path=str(screenshot))
    assert screenshot.stat().st_size > 0
    assert browser.remote_requests() == []


def test_full_graph_reaches_fct_target_from_raw(browser, docs_paths):
    page = browser.open(f"model/{FCT_TARGET}?g_v=1")

    elements = page.evaluate(GRAPH_ELEMENTS_SCRIPT)

    edges = {
        (element["source"], element["target"])
        for element in elements
        if "source" in element
    }
    assert ("model.autowatch.stg_curated__targets", FCT_TARGET) in edges
    assert (
        "source.autowatch.curated.targets",
        "model.autowatch.stg_curated__targets",
    ) in edges
    assert browser.remote_requests() == []


def test_page_lists_every_mart_and_describes_fct_target(browser, site):
    manifest = embedded_manifest(site / "index.html")
    marts = sorted(
        node["name"]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["schema"] == "marts"
    )
    page = browser.open(f"model/{FCT_TARGET}")

    sidebar = page.inner_text("body")

    # The sidebar breaks long names over lines; compare without whitespace.
    flattened = re.sub(r"\s+", "", sidebar)
    assert marts and all(name in flattened for name in marts)
    description = manifest["nodes"][FCT_TARGET]["description"].split(":")[0]
    assert description in sidebar
    for column in manifest["nodes"][FCT_TARGET]["columns"].values():
        assert column["name"] in sidebar
    assert browser.remote_requests() == []


def test_every_model_and_column_is_described(site, docs_paths):
    manifest = embedded_manifest(site / "index.html")
    catalog = json.loads(
        (docs_paths.dbt_target_dir / "catalog.json").read_text(encoding="utf-8")
    )
    models = {
        unique_id: node
        for unique_id, node in manifest["nodes"].items()
        if node["resource_type"] == "model"
    }

    undescribed_models = [
        unique_id for unique_id, node in models.items() if not node["description"]
    ]
    # Every model is in the catalog, so every built column is seen.
    assert set(models) <= set(catalog["nodes"])
    undescribed_columns = [
        f"{unique_id}.{column}"
        for unique_id, node in models.items()
        for column in catalog["nodes"][unique_id]["columns"]
        if not node["columns"].get(column, {}).get("description")
    ]

    assert undescribed_models == []
    assert undescribed_columns == []


def test_tracking_is_off_in_the_page(site):
    manifest = embedded_manifest(site / "index.html")

    assert manifest["metadata"]["send_anonymous_usage_stats"] is False


def test_network_check_catches_a_page_that_phones_home(
    playwright_driver, site, tmp_path
):
    """The control: with tracking on, dbt's page asks for a remote script,
    and the recorder sees it."""
    tracking_site = tmp_path / "tracking"
    tracking_site.mkdir()
    text = (site / "index.html").read_text(encoding="utf-8")
    turned_on = text.replace(
        '"send_anonymous_usage_stats": false', '"send_anonymous_usage_stats": true'
    )
    assert turned_on != text
    (tracking_site / "index.html").write_text(turned_on, encoding="utf-8")

    with serve(tracking_site) as base_url, tempfile.TemporaryDirectory() as profile:
        browser = Browser(playwright_driver, Path(profile), base_url)
        try:
            page = browser.open("overview")
            page.wait_for_timeout(1000)
            remote = browser.remote_requests()
        finally:
            browser.context.close()

    assert remote != []
    assert all(urlsplit(url).scheme.startswith("http") for url in remote)
