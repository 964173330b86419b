"""The explorer page in Debian's Chromium, against the real gateway over the real local Trino.

`live_gateway` serves the app `build_gateway` makes (the page at `/`, `/graphql` behind bearer
tokens and the council's policies/) in uvicorn on 127.0.0.1. The page asks for a token before
it sends anything to /graphql, shows who the token is for, and says why the gateway refused one.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from gateway_server import LiveGateway, live_gateway
from playwright.sync_api import (
    Browser,
    ConsoleMessage,
    Locator,
    Page,
    Request,
    expect,
    sync_playwright,
)

from gateway.http.auth import issue_token
from stack import trino
from stack.settings import Settings as StackSettings

pytestmark = [pytest.mark.browser, pytest.mark.integration]

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

# The demo requester: a children's social care caseworker looking for a safeguarding reason.
CASEWORKER = {"user": "sam.k", "roles": ("caseworker",), "purpose": "safeguarding",
              "team": "north-children"}

MODEL_TEXT = """([suffix, needle]) => {
    const text = globalThis.__MONACO?.editor.getModels()
        .find((model) => model.uri.path.endsWith(suffix))?.getValue();
    return text && text.includes(needle) ? text : null;
}"""
LOADED_FONTS = """async () => {
    await document.fonts.ready;
    return [...document.fonts].filter((font) => font.status === "loaded").map((f) => f.family);
}"""
# Chromium reports every 4xx response on the console; for a refused token that one line is expected.
REFUSED_RESPONSE = re.compile(r"Failed to load resource: .* status of 40[13] ")


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveGateway]:
    with live_gateway(tmp_path_factory.mktemp("explorer-gateway")) as gateway:
        yield gateway


@pytest.fixture(scope="module")
def caseworker_token(live: LiveGateway) -> str:
    return str(live.token(CASEWORKER["user"], CASEWORKER["roles"], CASEWORKER["purpose"],
                          team=CASEWORKER["team"]))


@pytest.fixture(scope="module")
def citizen_id() -> str:
    """A citizen the registry holds, with an NI number (the seed's ids are not assumed)."""
    connection = trino.connect(StackSettings.from_env())
    try:
        cursor = connection.cursor()
        cursor.execute("SELECT min(citizen_id) FROM registry.registry.citizen"
                       " WHERE ni_number IS NOT NULL")
        (value,) = cursor.fetchone()
    finally:
        connection.close()
    assert value is not None, "the registry has no citizens: seed the stack"
    return str(value)


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
    requests: list[Request] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def graphql(self) -> list[Request]:
        return [request for request in self.requests if urlsplit(request.url).path == "/graphql"]


@pytest.fixture
def page(browser: Browser) -> Iterator[tuple[Page, PageLog]]:
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    log = PageLog()

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            log.errors.append(message.text)

    def on_failed(request: Request) -> None:
        log.failed.append(f"{request.url} {request.failure}")

    context.on("request", lambda request: log.requests.append(request))
    context.on("requestfailed", on_failed)
    tab = context.new_page()
    tab.on("console", on_console)
    tab.on("pageerror", lambda error: log.errors.append(f"uncaught: {error}"))
    yield tab, log
    context.close()


def open_page(tab: Page, live: LiveGateway) -> None:
    response = tab.goto(live.url + "/")
    assert response is not None and response.ok
    tab.get_by_label("Access token", exact=True).wait_for()


def enter_token(tab: Page, token: str) -> None:
    tab.get_by_label("Access token", exact=True).fill(token)
    tab.get_by_role("button", name="Use token").click()


def sign_in(tab: Page, live: LiveGateway, token: str) -> None:
    open_page(tab, live)
    enter_token(tab, token)
    # The Explorer lists the schema once the gateway has given it for this token.
    tab.locator(".graphiql-explorer-root").get_by_text("citizen", exact=True).wait_for()


def refusal_notice(tab: Page) -> Locator:
    """The page's notice of a refused token (Monaco has alert regions of its own)."""
    return tab.get_by_role("alert").filter(has=tab.locator(".gateway-message"))


def model_text(tab: Page, suffix: str, needle: str = "") -> str:
    """An editor's text once it holds `needle`, read from its Monaco model (the rendered text
    has U+00A0 for spaces and wraps long lines)."""
    return str(tab.wait_for_function(MODEL_TEXT, arg=[suffix, needle]).json_value())


def wait_for_workers(tab: Page, count: int, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while len(tab.workers) < count and time.monotonic() < deadline:
        tab.wait_for_timeout(100)


def assert_only_local(log: PageLog) -> None:
    for request in log.requests:
        parts = urlsplit(request.url)
        assert parts.scheme == "data" or parts.hostname == "127.0.0.1", request.url


def test_page_asks_for_a_token_and_sends_nothing_to_graphql_before(
    page: tuple[Page, PageLog], live: LiveGateway
) -> None:
    tab, log = page
    open_page(tab, live)
    tab.wait_for_load_state("networkidle")
    tab.wait_for_timeout(500)  # anything a timer would send

    assert tab.title() == "Citizen view explorer"
    prompt = tab.get_by_role("region", name="Enter your access token")
    expect(prompt).to_contain_text("Where do I get a token?")
    expect(prompt).to_contain_text("kept only in this browser tab")
    expect(tab.get_by_role("button", name="Use token")).to_be_disabled()  # nothing to send yet
    assert tab.locator(".graphiql-container").count() == 0
    assert log.graphql() == []
    assert_only_local(log)
    assert log.failed == []
    assert log.errors == []  # CSP violations are reported here too


def test_caseworker_token_opens_the_explorer_on_the_citizen_view(
    page: tuple[Page, PageLog], live: LiveGateway, caseworker_token: str
) -> None:
    tab, log = page
    sign_in(tab, live, f"Bearer {caseworker_token}\n")  # pasted with its scheme: still fine
    explorer = tab.locator(".graphiql-explorer-root")

    for name in ("citizen", "citizens"):
        expect(explorer.get_by_text(name, exact=True)).to_be_visible()
    explorer.get_by_text("citizen", exact=True).click()
    for name in ("id", "givenName", "familyName", "dateOfBirth", "niNumber", "health",
                 "socialCare", "education", "housing"):
        expect(explorer.get_by_text(name, exact=True)).to_be_visible()

    # Who the explorer asks as, read from the token.
    in_use = tab.get_by_role("region", name="Token in use")
    for text in ("sam.k", "caseworker", "safeguarding", "north-children", "Expires"):
        expect(in_use).to_contain_text(text)
    # One request for the schema, with the token; GraphiQL does not introspect again.
    wait_for_workers(tab, 3)  # Monaco starts its editor worker lazily
    tab.wait_for_load_state("networkidle")
    [introspection] = log.graphql()
    assert introspection.headers["authorization"] == f"Bearer {caseworker_token}"
    assert "__schema" in json.loads(introspection.post_data or "{}")["query"]
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
    assert tab.evaluate("sessionStorage.getItem('citizen-explorer.bearer-token')") == caseworker_token
    assert_only_local(log)
    assert log.failed == []
    assert log.errors == []


def test_query_clicked_together_shows_the_citizen_the_gateway_returns(
    page: tuple[Page, PageLog], live: LiveGateway, caseworker_token: str, citizen_id: str
) -> None:
    tab, log = page
    sign_in(tab, live, caseworker_token)
    explorer = tab.locator(".graphiql-explorer-root")

    explorer.get_by_text("citizen", exact=True).click()
    explorer.locator('[data-arg-name="id"] input').fill(citizen_id)
    for name in ("givenName", "familyName", "dateOfBirth", "niNumber"):
        explorer.get_by_text(name, exact=True).click()
    query = model_text(tab, "operation.graphql", "niNumber")
    assert f'citizen(id: "{citizen_id}")' in query  # the Explorer wrote the query
    tab.locator(".graphiql-execute-button").click()
    shown = json.loads(model_text(tab, "response.json", "{"))

    direct = live.post(query, token=caseworker_token)
    assert direct.status_code == 200, direct.text
    expected = direct.json()["data"]
    citizen = expected["citizen"]
    assert citizen is not None and citizen["givenName"], expected
    assert shown["data"] == expected
    # Shown in the result pane, not only held in its model.
    expect(tab.locator(".graphiql-response")).to_contain_text(citizen["familyName"])
    # The caseworker sees the National Insurance number masked but its last 4 (policy: partial).
    assert citizen["niNumber"].startswith("*") and not citizen["niNumber"][-4:].count("*")
    # The lookup went through the gateway's audit log, as the page tells the caseworker.
    records = [json.loads(line) for line in
               live.settings.audit_path.read_text("utf-8").splitlines()]
    assert any(record["user"] == "sam.k" and record["outcome"] == "answered"
               and citizen_id in map(str, record["citizens"]) for record in records)
    tab.screenshot(path=SCREENSHOT)

    tab.get_by_role("button", name="Forget token").click()
    tab.get_by_label("Access token", exact=True).wait_for()
    tab.wait_for_timeout(1000)  # GraphiQL saves its tabs a moment after a change: not after Forget
    assert tab.evaluate("Object.keys(sessionStorage)") == []  # the token and this tab's queries
    assert log.failed == []
    assert log.errors == []


def expired_token(live: LiveGateway) -> str:
    two_hours_ago = int(time.time()) - 7200
    return issue_token(live.settings, "sam.k", ["caseworker"], "safeguarding",
                       {"team": "north-children"}, ttl_seconds=3600, now=two_hours_ago)


@pytest.mark.parametrize(
    ("make_token", "status", "title"),
    [
        (expired_token, 401, "The gateway did not accept this token"),
        (lambda live: "not-a-token", 401, "The gateway did not accept this token"),
        (lambda live: live.token("sam.k", ("wizard",), "safeguarding"), 403,
         "This token may not use the citizen view"),
    ],
    ids=["expired", "malformed", "unknown-role"],
)
def test_refused_token_shows_the_gateways_reason(
    page: tuple[Page, PageLog], live: LiveGateway, make_token: Any, status: int, title: str
) -> None:
    tab, log = page
    token = make_token(live)
    direct = live.post("{ __typename }", token=token)
    assert direct.status_code == status
    reason = direct.json()["errors"][0]["message"]

    open_page(tab, live)
    enter_token(tab, token)
    alert = refusal_notice(tab)
    expect(alert).to_contain_text(title)
    expect(alert.locator(".gateway-message")).to_have_text(re.compile(re.escape(reason), re.I))
    # No broken explorer behind it, and the refused token is not kept.
    assert tab.locator(".graphiql-container").count() == 0
    assert tab.evaluate("Object.keys(sessionStorage)") == []
    assert len(log.graphql()) == 1
    assert log.failed == []
    assert [error for error in log.errors if not REFUSED_RESPONSE.search(error)] == []


def test_token_refused_while_in_use_asks_for_a_new_one_and_keeps_the_query(
    page: tuple[Page, PageLog], live: LiveGateway, caseworker_token: str
) -> None:
    tab, log = page
    sign_in(tab, live, caseworker_token)
    # An expired token in GraphiQL's Headers editor (its values win): the gateway's real 401,
    # as when the token in use runs out mid-session.
    tab.get_by_role("button", name="Headers").click()
    tab.locator(".monaco-editor[data-uri$=\"request-headers.json\"]").click()
    tab.keyboard.insert_text(json.dumps({"Authorization": f"Bearer {expired_token(live)}"}))
    tab.locator(".graphiql-execute-button").click()

    alert = refusal_notice(tab)
    expect(alert).to_contain_text("The gateway did not accept this token")
    expect(alert.locator(".gateway-message")).to_have_text("The bearer token has expired.")
    tab.get_by_role("button", name="Enter a new token").click()
    expect(refusal_notice(tab)).to_contain_text("The bearer token has expired.")
    tab.get_by_label("Access token", exact=True).wait_for()
    kept = tab.evaluate("Object.keys(sessionStorage)")
    assert "citizen-explorer.bearer-token" not in kept
    assert "graphiql:tabState" in kept  # the query is still there for the next token
    assert log.failed == []
    assert [error for error in log.errors if not REFUSED_RESPONSE.search(error)] == []
