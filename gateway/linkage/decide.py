"""From scored candidate pairs to links, review items and records left unlinked.

For each department record: its best citizen and the margin to the second. Into the index when
the best is at or above the automatic threshold and clear of the second by the margin; to the
review queue when it is in the review band (or clear of the threshold but not of the second);
otherwise unlinked. A reviewer's decision on a pair wins over the model: an accepted pair is
linked ("manual"), a rejected pair is never proposed again, a disputed pair waits in the queue
until a reviewer accepts or rejects it. A department may hold two records of one person (a
duplicate registration): both are linked, the strongest as the primary record the view shows.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

Method = Literal["deterministic", "probabilistic", "manual"]
Verdict = Literal["accept", "reject", "dispute"]


@dataclass(frozen=True)
class Thresholds:
    # At or above: linked without review. The prior of a match is about 1/N, so the same
    # evidence scores lower in a larger registry; 0.9 keeps precision above 0.999 at 1,000,000
    # citizens (bench/results/linkage-*).
    link: float = 0.9
    review: float = 0.5  # from here up to `link`: a reviewer decides
    margin_bits: float = 4.0  # a best candidate closer than this to the second: a reviewer decides

    def __post_init__(self) -> None:
        if not 0 < self.review <= self.link < 1:
            raise ValueError("thresholds must satisfy 0 < review <= link < 1")


@dataclass(frozen=True)
class Candidate:
    citizen_id: int
    probability: float
    weight: float
    identifier_agrees: bool  # an NHS / NI number or UPN recorded on both sides, and equal


@dataclass(frozen=True)
class Link:
    local_id: int
    citizen_id: int
    method: Method
    probability: float | None
    weight: float | None
    primary: bool = True  # the citizen's record of the department the view shows


@dataclass(frozen=True)
class Review:
    local_id: int
    best: Candidate
    second: Candidate | None
    reason: str


@dataclass
class Outcome:
    links: list[Link] = field(default_factory=list)
    reviews: list[Review] = field(default_factory=list)
    unlinked: int = 0  # records with candidates, none good enough for review


def decide(candidates: Iterable[tuple[int, Candidate]],
           decisions: Mapping[tuple[int, int], Verdict], thresholds: Thresholds) -> Outcome:
    """`candidates`: (local id, candidate) ordered by local id, best candidate first;
    `decisions`: the reviewers' verdicts by (local id, citizen id)."""
    outcome = Outcome()
    accepted = {local: citizen for (local, citizen), verdict in decisions.items()
                if verdict == "accept"}
    proposed: list[Link] = []  # before the primary record of each citizen is chosen
    seen: set[int] = set()
    for local_id, group in itertools.groupby(candidates, key=lambda pair: pair[0]):
        seen.add(local_id)
        ranked = [c for _, c in group if decisions.get((local_id, c.citizen_id)) != "reject"]
        if local_id in accepted:
            citizen = accepted[local_id]
            scored = next((c for c in ranked if c.citizen_id == citizen), None)
            proposed.append(Link(local_id, citizen, "manual",
                                 scored.probability if scored else None,
                                 scored.weight if scored else None))
            continue
        if not ranked:
            outcome.unlinked += 1
            continue
        best = ranked[0]
        second = ranked[1] if len(ranked) > 1 else None
        close = second is not None and best.weight - second.weight < thresholds.margin_bits
        if decisions.get((local_id, best.citizen_id)) == "dispute":
            outcome.reviews.append(Review(local_id, best, second, "disputed"))
        elif best.probability >= thresholds.link and not close:
            method: Method = "deterministic" if best.identifier_agrees else "probabilistic"
            proposed.append(Link(local_id, best.citizen_id, method, best.probability,
                                 best.weight))
        elif best.probability >= thresholds.review:
            reason = ("second candidate within the margin" if close
                      else "below the automatic threshold")
            outcome.reviews.append(Review(local_id, best, second, reason))
        else:
            outcome.unlinked += 1
    for local_id, citizen in accepted.items():  # accepted pairs the model no longer proposes
        if local_id not in seen:
            proposed.append(Link(local_id, citizen, "manual", None, None))
    # The primary record of each citizen: a reviewer's link first, then the strongest evidence.
    proposed.sort(key=lambda link: (link.method != "manual", -(link.weight or 0.0),
                                    link.local_id))
    taken: set[int] = set()
    for link in proposed:
        primary = link.citizen_id not in taken
        taken.add(link.citizen_id)
        outcome.links.append(link if primary else Link(link.local_id, link.citizen_id,
                                                       link.method, link.probability,
                                                       link.weight, primary=False))
    outcome.links.sort(key=lambda link: link.local_id)
    outcome.reviews.sort(key=lambda review: review.local_id)
    return outcome
