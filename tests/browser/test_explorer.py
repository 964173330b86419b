"""The explorer page in Debian's Chromium: it runs offline, lists the schema, and runs queries.

A real uvicorn server on 127.0.0.1 serves `explorer_routes()` and a `/graphql` endpoint that
executes real GraphQL (graphql-core) over a tiny citizen schema.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import uvicorn
from graphql import GraphQLResolveInfo, build_schema, graphql
from playwright.sync_api import Browser, ConsoleMessage, Page, Request, sync_playwright
from starlette.applications import Starlette
from starlette.requests import Request as HttpRequest
from starlette.responses import JSONResponse
from starlette.routing import Route

from gateway.explorer import explorer_routes

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOT = Path("/tmp/explorer.png")
TOKEN = "test-token.for.caseworker"
RESPONSE_TEXT = """() => globalThis.__MONACO?.editor.getModels()
    .find((model) => model.uri.path.endsWith("response.json"))?.getValue() || null"""

LOADED_FONTS = """async () => {
    await document.fonts.ready;
    return [...document.fonts].filter((font) => font.status === "loaded").map((f) => f.family);
}"""

SCHEMA = build_schema(
    """
    type Query { citizen(id: ID!): Citizen }
    type Citizen { id: ID! name: String! dateOfBirth: String address: Address }
    type Address { line1: String! postcode: String! }
    """
)
CITIZENS = {
    "1": {
        "id": "1",
        "name": "Ada Lovelace",
        "dateOfBirth": "1815-12-10",
        "address": {"line1": "12 St James's Square", "postcode": "SW1Y 4JH"},
    }
}


def resolve_citizen(info: GraphQLResolveInfo, id: str) -> dict[str, Any] | None:
    return CITIZENS.get(id)


@dataclass
class Gateway:
    url: str
    authorizations: list[str | None] = field(default_factory=list)


def create_test_app(gateway: Gateway) -> Starlette:
    # TODO: switch to gateway.app.create_app once it exists: it mounts explorer_routes() next to
    # the real /graphql, which will then need a valid JWT for TOKEN.
    async def graphql_endpoint(request: HttpRequest) -> JSONResponse:
        gateway.authorizations.append(request.headers.get("authorization"))
        body = await request.json()
        result = await graphql(
            SCHEMA,
            body["query"],
            root_value={"citizen": resolve_citizen},
            variable_values=body.get("variables"),
            operation_name=body.get("operationName"),
        )
        return JSONResponse(result.formatted)

    return Starlette(
        routes=[*explorer_routes(), Route("/graphql", graphql_endpoint, methods=["POST"])]
    )


@pytest.fixture(scope="module")
def gateway() -> Iterator[Gateway]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    gateway = Gateway(url=f"http://127.0.0.1:{sock.getsockname()[1]}")
    server = uvicorn.Server(uvicorn.Config(create_test_app(gateway), log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    yield gateway
    server.should_exit = True
    thread.join(timeout=10)
    sock.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@dataclass
class PageLog:
    requests: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@pytest.fixture
def page(browser: Browser) -> Iterator[tuple[Page, PageLog]]:
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    log = PageLog()

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            log.errors.append(message.text)

    def on_failed(request: Request) -> None:
        log.failed.append(f"{request.url} {request.failure}")

    context.on("request", lambda request: log.requests.append(request.url))
    context.on("requestfailed", on_failed)
    page = context.new_page()
    page.on("console", on_console)
    page.on("pageerror", lambda error: log.errors.append(f"uncaught: {error}"))
    yield page, log
    context.close()


def open_explorer(page: Page, gateway: Gateway) -> None:
    response = page.goto(gateway.url + "/")
    assert response is not None and response.ok
    # The Explorer lists the schema once introspection has come back.
    page.locator(".graphiql-explorer-root").get_by_text("citizen", exact=True).wait_for()


def use_token(page: Page, token: str) -> None:
    page.get_by_label("Access token").fill(token)
    page.get_by_role("button", name="Use token").click()
    page.get_by_role("status").filter(has_text="Token in use").wait_for()


def run_query(page: Page) -> Any:
    """Clicks run; returns the result pane's JSON, read from its Monaco model (the rendered text
    has U+00A0 for spaces and wraps long lines)."""
    page.locator(".graphiql-execute-button").click()
    return json.loads(page.wait_for_function(RESPONSE_TEXT).json_value())


def wait_for_workers(page: Page, count: int, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while len(page.workers) < count and time.monotonic() < deadline:
        page.wait_for_timeout(100)


def test_page_loads_offline_without_errors(page: tuple[Page, PageLog], gateway: Gateway) -> None:
    tab, log = page
    open_explorer(tab, gateway)
    wait_for_workers(tab, 3)  # Monaco starts its editor worker lazily
    tab.wait_for_load_state("networkidle")

    assert tab.title() == "Citizen view explorer"
    for url in log.requests:
        parts = urlsplit(url)
        assert parts.scheme == "data" or parts.hostname == "127.0.0.1", url
    # Monaco's three workers, each a script from this origin (no blob:, no CDN).
    worker_urls = sorted(urlsplit(worker.url).path.split("-")[0] for worker in tab.workers)
    assert worker_urls == [
        "/static/explorer/editor.worker",
        "/static/explorer/graphql.worker",
        "/static/explorer/json.worker",
    ]
    # GraphiQL's fonts come inlined in the CSS and are in use (not a system fallback).
    fonts = tab.evaluate(LOADED_FONTS)
    assert {"Roboto", "Fira Code"} <= {family.strip('"') for family in fonts}
    assert log.failed == []
    assert log.errors == []  # CSP violations are reported here too


def test_explorer_lists_citizen_and_its_fields(
    page: tuple[Page, PageLog], gateway: Gateway
) -> None:
    tab, log = page
    open_explorer(tab, gateway)
    explorer = tab.locator(".graphiql-explorer-root")

    explorer.get_by_text("citizen", exact=True).click()
    for name in ("address", "dateOfBirth", "id", "name"):
        explorer.get_by_text(name, exact=True).wait_for()
    explorer.get_by_text("address", exact=True).click()
    for name in ("line1", "postcode"):
        explorer.get_by_text(name, exact=True).wait_for()
    assert log.errors == []


def test_query_picked_in_explorer_runs_with_the_token(
    page: tuple[Page, PageLog], gateway: Gateway
) -> None:
    tab, log = page
    open_explorer(tab, gateway)
    use_token(tab, TOKEN)
    explorer = tab.locator(".graphiql-explorer-root")

    explorer.get_by_text("citizen", exact=True).click()
    explorer.locator(".graphiql-explorer-id input").fill("1")
    explorer.get_by_text("name", exact=True).click()
    explorer.get_by_text("address", exact=True).click()
    explorer.get_by_text("postcode", exact=True).click()
    gateway.authorizations.clear()
    result = run_query(tab)
    tab.locator(".graphiql-response").get_by_text("SW1Y 4JH").wait_for()  # shown, not only held
    tab.screenshot(path=SCREENSHOT)

    assert result == {
        "data": {"citizen": {"name": "Ada Lovelace", "address": {"postcode": "SW1Y 4JH"}}}
    }
    assert gateway.authorizations == [f"Bearer {TOKEN}"]
    assert tab.evaluate("sessionStorage.length") == 1
    assert log.errors == []


def test_typed_query_runs(page: tuple[Page, PageLog], gateway: Gateway) -> None:
    tab, log = page
    open_explorer(tab, gateway)
    editor = tab.locator(".graphiql-query-editor .monaco-editor")

    editor.click()
    tab.keyboard.press("ControlOrMeta+A")
    tab.keyboard.press("Delete")
    tab.keyboard.insert_text('query Lookup { citizen(id: "1") { name dateOfBirth } }')
    # GraphiQL picks up the operation name after a short debounce; the tab shows it then.
    tab.locator(".graphiql-tab").get_by_text("Lookup").wait_for()
    result = run_query(tab)

    assert result == {"data": {"citizen": {"name": "Ada Lovelace", "dateOfBirth": "1815-12-10"}}}
    assert gateway.authorizations[-1] is None  # no token entered: no Authorization header
    assert log.errors == []
