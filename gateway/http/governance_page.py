"""The role × field matrix for governance staff: what each role sees of each field, per purpose.

A read-only HTML page rendered from the policy in force (the same decisions the gateway applies),
with the rule behind every cell on hover. It shows policy, never citizen data, so it needs no
token; a council that wants it private keeps /governance behind its intranet proxy.
"""

from __future__ import annotations

from html import escape

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Route

from gateway.policy.policy import Policy
from gateway.policy.store import PolicyStore

_CSS = """
body{font:14px/1.4 system-ui,sans-serif;margin:1.5rem;color:#1b1b1b}
h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:2rem}
table{border-collapse:collapse;font-size:12px}th,td{border:1px solid #ccc;padding:2px 6px}
th{background:#f3f3f3;position:sticky;top:0}td.f{font-family:monospace;white-space:nowrap}
.clear{background:#dff0d8}.deny{background:#f2dede;color:#777}.mask{background:#fcf8e3}
.note{color:#555;max-width:60rem}
"""

_LEGEND = ("clear: shown as stored; a mask kind (partial, pseudonym, year, age_band, district, "
           "redact): shown only in that form, computed inside the engine; deny: refused. The "
           "strictest rule wins across a person's roles; no rule means deny. Hover a cell for "
           "the line of policy.csv that decided it.")


def _cell(decision: str, reason: str) -> str:
    kind = decision if decision in ("clear", "deny") else "mask"
    return f'<td class="{kind}" title="{escape(reason)}">{escape(decision)}</td>'


def render_matrix(policy: Policy, status: dict[str, object]) -> str:
    roles = sorted(policy.vocabulary.roles)
    purposes = sorted(policy.vocabulary.purposes)
    parts = [f"<!doctype html><html lang=en><head><meta charset=utf-8>"
             f"<title>Access policy: who sees what</title><style>{_CSS}</style></head><body>",
             "<h1>Access policy: who sees what</h1>",
             f"<p class=note>Policy version <code>{escape(policy.version[:16])}</code>. "
             f"{escape(_LEGEND)}</p>"]
    rejected = status.get("rejected")
    if isinstance(rejected, dict):
        problems = "".join(f"<li>{escape(str(p))}</li>" for p in rejected.get("problems", []))
        parts.append(f"<p class=deny><strong>The last edit was rejected; the version above stays "
                     f"in force.</strong></p><ul>{problems}</ul>")
    for purpose in purposes:
        decisions = {role: policy.decisions((role,), purpose) for role in roles}
        parts.append(f"<h2>Purpose: {escape(purpose)}</h2><table><tr><th>field</th>"
                     + "".join(f"<th>{escape(role)}</th>" for role in roles) + "</tr>")
        for name in policy.catalog.targets:
            cells = "".join(_cell(decisions[role].field(name).decision,
                                  decisions[role].field(name).reason) for role in roles)
            parts.append(f'<tr><td class="f">{escape(name)}</td>{cells}</tr>')
        parts.append("</table>")
        rows = [f"<li>{escape(role)}: rows of {escape(row.object)} — {escape(row.rule)} "
                f"<small>({escape(row.reason)})</small></li>"
                for role in roles for name, _ in policy.catalog.row_targets
                for row in decisions[role].row_rules(name)]
        if rows:
            parts.append("<p>Row rules in force:</p><ul>" + "".join(sorted(set(rows))) + "</ul>")
    parts.append("</body></html>")
    return "".join(parts)


def governance_routes(policies: PolicyStore) -> list[BaseRoute]:
    async def matrix(_: Request) -> Response:
        status = policies.status()
        return HTMLResponse(render_matrix(policies.current(), status), headers={
            "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
            "Cache-Control": "no-store"})

    return [Route("/governance", matrix)]
