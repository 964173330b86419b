"""The committed build of the explorer page (web/ → gateway/static/explorer/) is whole and local."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

from gateway.http.explorer import ASSET_DIR, HASHED_ASSET

ASSET_PREFIX = "static/explorer/"


class References(HTMLParser):
    """Collects every src/href of the page, and its title."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._in_title = tag == "title"
        self.urls += [value for name, value in attrs if name in ("src", "href") and value]

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data

    def handle_endtag(self, tag: str) -> None:
        self._in_title = False


def read_page() -> References:
    page = References()
    page.feed((ASSET_DIR / "index.html").read_text("utf-8"))
    return page


def test_page_references_only_built_assets_and_data_urls() -> None:
    page = read_page()
    assert page.title == "Citizen view explorer"
    local = [url for url in page.urls if not url.startswith("data:")]
    assert sorted(url.rsplit(".", 1)[1] for url in local) == ["css", "js"]
    for url in local:
        assert not urlsplit(url).scheme and not urlsplit(url).netloc, url
        assert url.startswith(ASSET_PREFIX), url
        name = url.removeprefix(ASSET_PREFIX)
        assert HASHED_ASSET.fullmatch(name), name
        assert (ASSET_DIR / name).is_file(), name


def test_page_names_no_other_host() -> None:
    html = (ASSET_DIR / "index.html").read_text("utf-8")
    # The data: favicon's SVG namespace is the only URL-looking text in the page.
    hosts = set(re.findall(r"//([\w.-]+)", html))
    assert hosts <= {"www.w3.org"}, hosts
    assert "<script>" not in html  # no inline script: the CSP allows none


def test_every_built_file_is_used() -> None:
    page = read_page()
    bundle = next(url for url in page.urls if url.endswith(".js")).removeprefix(ASSET_PREFIX)
    bundle_text = (ASSET_DIR / bundle).read_text("utf-8")
    built = {path.name for path in ASSET_DIR.iterdir()} - {"index.html"}
    referenced = {url.removeprefix(ASSET_PREFIX) for url in page.urls}
    workers = {name for name in built if ".worker-" in name}
    assert {"editor", "json", "graphql"} == {name.split(".")[0] for name in workers}
    assert all(name in bundle_text for name in workers)  # wired via MonacoEnvironment.getWorker
    assert built == (referenced & built) | workers
