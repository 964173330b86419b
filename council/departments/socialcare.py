"""Social care: clients, their cases (children's and adults'), assessments, safeguarding flags.

About 4% of citizens have ever been clients: children in need (category of need N1..N9), adults
with a primary support reason (most often the very old). Cases belong to an area team such as
north-children or south-adults; children's cases usually close within a year or two, adults'
long-term support stays open. Social care systems are known for duplicate person records and
sparse NHS numbers; both show here.
"""

from __future__ import annotations

from collections.abc import Iterator
from random import Random

from council import dates
from council.batch import NULL, Batch, UniqueIds, link_line
from council.picker import Picker
from council.places import WARDS
from council.population import Population
from council.quality import Quality, copy_identity, wrong_digit

DEPARTMENT = "socialcare"
TABLES = ("client", "social_case", "assessment", "safeguarding_flag")

DUPLICATE_RATE = 0.03
QUALITY = Quality(
    nickname=0.08, given_typo=0.02, family_typo=0.02, old_family=0.4, dob_missing=0.02,
    dob_swapped=0.01, dob_slip=0.005, old_postcode=0.5, postcode_missing=0.03,
)
HISTORY_DAYS = 8 * 365  # cases opened over the last eight years


def client_rate(age: int, needs: bool) -> float:
    """Chance that a citizen of this age has ever been a client (in the last eight years);
    much higher in a household with multiple needs."""
    if age < 18:
        return 0.5 if needs else 0.06
    if age < 65:
        return 0.08 if needs else 0.018
    if age < 80:
        return 0.12 if needs else 0.06
    return 0.2


CATEGORY_OF_NEED = Picker(
    ("N1", "N2", "N3", "N4", "N5", "N6", "N7", "N8", "N9"),
    (57, 9, 3, 8, 15, 2, 0.3, 5, 1),
)
PRIMARY_SUPPORT_REASON = Picker(
    (
        "Physical support: personal care", "Physical support: access and mobility",
        "Sensory support: visual impairment", "Sensory support: hearing impairment",
        "Sensory support: dual impairment", "Support with memory and cognition",
        "Learning disability support", "Mental health support",
        "Social support: substance misuse", "Social support: asylum seeker",
        "Social support: social isolation/other",
    ),
    (45, 8, 1.5, 1, 0.3, 9, 14, 14, 1.5, 0.5, 3),
)
CHILD_OUTCOMES = Picker(
    ("no further action", "child in need plan", "child protection plan",
     "referred to early help", "looked after", "step down to universal services"),
    (30, 30, 12, 18, 4, 6),
)
ADULT_OUTCOMES = Picker(
    ("eligible needs: care and support", "not eligible", "signposted to universal services",
     "carer support provided", "reablement", "no further action"),
    (45, 12, 15, 8, 12, 8),
)
CHILD_FLAGS = Picker(
    ("child protection plan", "domestic abuse", "child sexual exploitation",
     "missing from home", "criminal exploitation", "looked after child"),
    (35, 30, 6, 12, 8, 9),
)
ADULT_FLAGS = Picker(
    ("adult safeguarding enquiry", "domestic abuse", "self-neglect", "financial abuse",
     "risk to staff", "modern slavery", "falls risk"),
    (30, 20, 15, 12, 10, 1, 12),
)


def team(ward: int | None, service: str, rng: Random) -> str:
    area = WARDS[ward][1] if ward is not None else ("north", "east", "south", "west")[
        rng.getrandbits(2)]
    if area == "central":  # the central wards are covered by the north and south teams
        area = "north" if rng.random() < 0.5 else "south"
    return f"{area}-{service}"


def generate(population: Population, seed: int, chunk: int = 20_000) -> Iterator[Batch]:
    rng = Random(f"{seed}:{DEPARTMENT}")
    r = rng.random
    today = dates.TODAY
    iso = dates.iso
    client_ids = UniqueIds(rng, 100_000, 10_000_000)
    counters = {"case": 500_000, "assessment": 2_000_000, "flag": 10_000}
    places = population.places

    def new_rows() -> dict[str, list[str]]:
        return {table: [] for table in TABLES}

    batch = Batch(new_rows())
    for i in range(len(population)):
        batch.citizens += 1
        born = population.born[i]
        died = population.died[i]
        end = min(died, today) if died else today
        needs = population.needs[i]
        if r() >= client_rate(dates.age_on(born, end), needs):
            if batch.citizens == chunk:
                yield batch
                batch = Batch(new_rows())
            continue
        home = population.home[i]
        ward = places.ward[home] if home >= 0 else None
        records = 2 if r() < DUPLICATE_RATE else 1
        first_open = max(born + 30, today - HISTORY_DAYS)
        for record in range(records):
            cid = client_ids.next()
            given, family, dob, postcode = copy_identity(
                rng, QUALITY, population.given[i], population.family[i], born,
                population.postcode(i), population.old_family[i], population.old_postcode(i),
                middle=population.middle[i],
            )
            nhs = population.nhs[i] if r() < (0.72 if record == 0 else 0.3) else None
            if nhs is not None and r() < 0.015:  # copied by hand from a letter: a digit wrong
                nhs = wrong_digit(rng, nhs)
            batch.rows["client"].append(
                f"{cid}\t{given}\t{family}\t{iso(dob) if dob else NULL}\t{postcode or NULL}\t"
                f"{nhs or NULL}\n"
            )
            batch.truth.append(f"{DEPARTMENT}\t{cid}\t{i + 1}\n")
            if record == 0:
                x = r()
                if nhs is not None and x < 0.96:
                    batch.links.append(link_line(DEPARTMENT, cid, i + 1, "deterministic"))
                elif nhs is None and x < 0.9:
                    method = "probabilistic" if x < 0.8 else "manual"
                    batch.links.append(link_line(DEPARTMENT, cid, i + 1, method))
            if end <= first_open:
                continue
            cases = 1 if record == 1 else 1 + (r() < 0.25) + (r() < 0.06)
            opened_days = sorted(first_open + int(r() * (end - first_open)) for _ in range(cases))
            for opened in opened_days:
                counters["case"] += 1
                case_id = counters["case"]
                child = dates.age_on(born, opened) < 18
                service = "children" if child else "adults"
                # children's cases close sooner, unless the family has multiple needs
                mean_days = (1400 if needs else 300) if child else 1100
                length = int(rng.expovariate(1 / mean_days)) + 20
                closed: int | None = opened + length
                if died and closed is not None and closed > died:
                    closed = died
                if closed is not None and closed >= today:
                    closed = None
                status = "open" if closed is None else "closed"
                if child:
                    need = CATEGORY_OF_NEED.pick(rng)
                    reason = NULL
                else:
                    need = NULL
                    reason = PRIMARY_SUPPORT_REASON.pick(rng)
                batch.rows["social_case"].append(
                    f"{case_id}\t{cid}\t{service}\t{team(ward, service, rng)}\t{status}\t"
                    f"{iso(opened)}\t{iso(closed) if closed else NULL}\t{need}\t{reason}\n"
                )
                _assessments(rng, batch.rows["assessment"], counters, case_id, child, need,
                             opened, closed or end)
                flags = (0.55 if need == "N1" or needs else 0.12) if child else 0.2
                if r() < flags:
                    counters["flag"] += 1
                    flag = (CHILD_FLAGS if child else ADULT_FLAGS).pick(rng)
                    if child and needs and r() < 0.4:
                        flag = "child protection plan"
                    raised = opened + int(r() * max(1, (closed or end) - opened))
                    active = "1" if closed is None and r() < 0.9 else "0"
                    batch.rows["safeguarding_flag"].append(
                        f"{counters['flag']}\t{cid}\t{flag}\t{iso(raised)}\t{active}\n"
                    )
        if batch.citizens == chunk:
            yield batch
            batch = Batch(new_rows())
    if batch.citizens:
        yield batch


def _assessments(
    rng: Random, lines: list[str], counters: dict[str, int], case_id: int, child: bool,
    need: str, opened: int, until: int,
) -> None:
    iso = dates.iso
    found: list[tuple[int, str, str]] = []
    if child:
        found.append((opened + rng.randrange(1, 45), "child and family assessment",
                      CHILD_OUTCOMES.pick(rng)))
        if need == "N1" and rng.random() < 0.5:
            found.append((opened + rng.randrange(1, 10), "strategy discussion",
                          "section 47 enquiry"))
            found.append((opened + rng.randrange(10, 30), "section 47 enquiry",
                          "child protection plan" if rng.random() < 0.6 else "child in need plan"))
        day = opened + 180
        while day < until and rng.random() < 0.6:
            found.append((day, "child in need review", CHILD_OUTCOMES.pick(rng)))
            day += 180
    else:
        found.append((opened + rng.randrange(1, 60), "care act needs assessment",
                      ADULT_OUTCOMES.pick(rng)))
        if rng.random() < 0.25:
            found.append((opened + rng.randrange(1, 90), "carer's assessment",
                          "carer support provided"))
        if rng.random() < 0.3:
            found.append((opened + rng.randrange(1, 60), "financial assessment",
                          "contribution assessed"))
        day = opened + 365
        while day < until:
            found.append((day, "annual review", "eligible needs: care and support"))
            day += 365
    found.sort()
    for day, kind, outcome in found:
        if day > dates.TODAY:
            continue
        counters["assessment"] += 1
        lines.append(f"{counters['assessment']}\t{case_id}\t{iso(day)}\t{kind}\t{outcome}\n")
