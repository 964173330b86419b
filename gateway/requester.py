"""Who is asking, and why: the verified requester every decision and audit record is about."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Requester:
    user: str
    roles: tuple[str, ...]
    purpose: str  # purpose of use: direct_care, safeguarding, service_planning, audit, ...
    attributes: tuple[tuple[str, str], ...] = field(default=())  # e.g. (("team", "north-children"),)

    def attribute(self, name: str) -> str | None:
        return dict(self.attributes).get(name)
