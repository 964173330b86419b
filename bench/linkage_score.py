"""Linkage quality against the generator's ground truth (registry_truth.link_truth), which only
this scorer reads: the linker never attaches it.

Precision: of the links made, how many join a record to its true citizen. Recall: of the records
whose true citizen is in the registry, how many are linked to that citizen. A record whose person
the registry lacks is never a true link: linking it to anyone is a false one. The review queue is
scored apart (how often its best candidate is the true citizen), since a reviewer decides there.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

Pair = tuple[str, int]  # (department, local id)


@dataclass(frozen=True)
class Score:
    department: str
    links: int
    correct: int
    linkable: int  # records whose true citizen is in the registry
    review: int
    review_best_correct: int

    @property
    def precision(self) -> float:
        return self.correct / self.links if self.links else 1.0

    @property
    def recall(self) -> float:
        return self.correct / self.linkable if self.linkable else 1.0


@dataclass(frozen=True)
class Pairs:
    truth: Mapping[Pair, int]
    links: Mapping[Pair, int]
    reviews: Mapping[Pair, int]
    citizens: frozenset[int]


def score(pairs: Pairs, departments: Iterable[str]) -> list[Score]:
    out = []
    for department in departments:
        truth = {local: c for (d, local), c in pairs.truth.items() if d == department}
        links = {local: c for (d, local), c in pairs.links.items() if d == department}
        reviews = {local: c for (d, local), c in pairs.reviews.items() if d == department}
        linkable = sum(1 for c in truth.values() if c in pairs.citizens)
        correct = sum(1 for local, c in links.items() if truth.get(local) == c)
        review_ok = sum(1 for local, c in reviews.items() if truth.get(local) == c)
        out.append(Score(department, len(links), correct, linkable, len(reviews), review_ok))
    return out


def total(scores: Iterable[Score]) -> Score:
    scores = list(scores)
    return Score("all", *(sum(getattr(s, f) for s in scores)
                          for f in ("links", "correct", "linkable", "review",
                                    "review_best_correct")))


def sqlite_pairs(directory: Path) -> Pairs:
    """The pairs of a SQLite council (`council.sqlite`): truth in its own file."""
    with sqlite3.connect(directory / "registry.sqlite") as db:
        db.execute("ATTACH DATABASE ? AS truth", (str(directory / "registry_truth.sqlite"),))

        def pairs(sql: str) -> dict[Pair, int]:
            return {(d, int(local)): int(c) for d, local, c in db.execute(sql)}

        return Pairs(pairs("SELECT department, local_id, citizen_id FROM truth.link_truth"),
                     pairs("SELECT department, local_id, citizen_id FROM person_link"),
                     pairs("SELECT department, local_id, citizen_id FROM link_review"),
                     frozenset(int(c) for (c,) in db.execute("SELECT citizen_id FROM citizen")))
