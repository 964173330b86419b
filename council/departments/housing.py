"""Housing: council tenants, their tenancies, rent accounts and repairs.

About one citizen in eight is (or was) a council tenant: the lead tenant of a council household
(current tenancy at the household's home, a transfer from an earlier one for some; a successor
takes over after a death), and former tenants whose tenancy has ended. Tenures: secure,
introductory (the first year), flexible (fixed-term). Rent accounts carry arrears for about a
third; repairs include damp and mould, which recurs in some homes.
"""

from __future__ import annotations

from collections.abc import Iterator
from random import Random

from council import dates
from council.batch import NULL, Batch, UniqueIds, link_line
from council.picker import Picker
from council.places import Places
from council.population import Population
from council.quality import Quality, copy_identity

DEPARTMENT = "housing"
TABLES = ("tenant", "tenancy", "rent_account", "repair")

# chance that a household of this size rents from the council
COUNCIL_HOUSEHOLD = (0.0, 0.29, 0.18, 0.23, 0.23, 0.29)
FORMER_TENANT = 0.02  # of adults outside council homes: tenancy ended (bought, moved away)
DUPLICATE_RATE = 0.01
QUALITY = Quality(
    nickname=0.06, given_typo=0.015, family_typo=0.015, old_family=0.4, family_upper=0.08,
    dob_missing=0.015, dob_swapped=0.006, dob_slip=0.003, old_postcode=0.0,
    postcode_missing=0.0,
)
REPAIR_CATEGORY = Picker(
    ("heating", "plumbing", "electrical", "damp and mould", "windows and doors", "roofing",
     "kitchen", "bathroom", "pest control", "communal areas", "plastering", "gas safety"),
    (17, 20, 12, 9, 10, 5, 6, 6, 3, 3, 4, 5),
)
PRIORITY = Picker(("emergency", "urgent", "routine"), (15, 30, 55))
_TARGET_DAYS = {"emergency": (0, 2), "urgent": (1, 12), "routine": (5, 70)}
REPAIR_WINDOW = 3 * 365


def generate(population: Population, seed: int, chunk: int = 20_000) -> Iterator[Batch]:
    rng = Random(f"{seed}:{DEPARTMENT}")
    r = rng.random
    today = dates.TODAY
    eighteen = int(18 * 365.2425)
    tenant_ids = UniqueIds(rng, 10_000, 1_000_000_000)
    counters = {"tenancy": 800_000, "account": 3_000_000, "repair": 0}
    places = population.places
    n = len(population)

    def new_rows() -> dict[str, list[str]]:
        return {table: [] for table in TABLES}

    def tenant(i: int, rows: dict[str, list[str]], batch: Batch) -> int:
        """A tenant record for citizen i (and its links); returns the tenant id."""
        tid = tenant_ids.next()
        given, family, dob, _ = copy_identity(
            rng, QUALITY, population.given[i], population.family[i], population.born[i],
            None, population.old_family[i], None, middle=population.middle[i],
        )
        ni = population.ni[i]
        x = r()
        if ni is not None and x < 0.12:
            ni = None
        elif ni is not None and x < 0.14:
            k = 2 + rng.randrange(5)  # two digits typed the wrong way round
            ni = ni[:k] + ni[k + 1] + ni[k] + ni[k + 2:]
        rows["tenant"].append(
            f"{tid}\t{given}\t{family}\t{dates.iso(dob) if dob else NULL}\t{ni or NULL}\n"
        )
        batch.truth.append(f"{DEPARTMENT}\t{tid}\t{i + 1}\n")
        return tid

    def link(i: int, tid: int, has_ni: bool, batch: Batch) -> None:
        x = r()
        if has_ni and x < 0.975:
            batch.links.append(link_line(DEPARTMENT, tid, i + 1, "deterministic"))
        elif not has_ni and x < 0.92:
            method = "probabilistic" if x < 0.85 else "manual"
            batch.links.append(link_line(DEPARTMENT, tid, i + 1, method))

    batch = Batch(new_rows())
    i = 0
    while i < n:
        # one household at a time (its members are consecutive citizens)
        h = population.household[i]
        j = i
        while j < n and population.household[j] == h:
            j += 1
        members = range(i, j)
        adults = [k for k in members if population.born[k] <= today - eighteen]
        home = population.home[i]
        size = min(len(members), 5)
        needs = population.needs[i]
        council = home >= 0 and adults and r() < COUNCIL_HOUSEHOLD[size] * (2.5 if needs else 1)
        rows = batch.rows
        if council:
            lead = adults[0]
            moved_on = population.moved_on[lead]
            earliest = max(population.born[lead] + eighteen, today - 30 * 365)
            start = moved_on or (earliest + rng.randrange(max(1, today - 60 - earliest)))
            history: list[tuple[int, int, int, int | None]] = []  # (citizen, property, start, end)
            previous = population.previous_home[lead]
            if previous >= 0 and r() < 0.5:  # a transfer from another council home
                history.append((lead, previous, max(earliest, start - 400 - rng.randrange(3000)),
                                start - 1))
            died = population.died[lead]
            if died and died > start:
                history.append((lead, home, start, died))
                successors = [k for k in adults[1:] if not population.died[k]]
                if successors:
                    history.append((successors[0], home, died + 14 + rng.randrange(60), None))
            else:
                history.append((lead, home, start, None))
            tenants: dict[int, int] = {}
            for citizen, prop, begun, ended in history:
                if begun > today:
                    continue
                if citizen not in tenants:
                    tenants[citizen] = tenant(citizen, rows, batch)
                    link(citizen, tenants[citizen], population.ni[citizen] is not None, batch)
                    if r() < DUPLICATE_RATE:  # re-registered on a later tenancy: duplicate
                        tenant(citizen, rows, batch)
                _tenancy(rng, rows, counters, tenants[citizen], prop, begun, ended, places,
                         needs)
        else:
            for k in adults:
                if r() < FORMER_TENANT:
                    tid = tenant(k, rows, batch)
                    link(k, tid, population.ni[k] is not None, batch)
                    ended = today - 60 - rng.randrange(8 * 365)
                    begun = ended - 200 - rng.randrange(10 * 365)
                    begun = max(begun, population.born[k] + eighteen)
                    if begun < ended:
                        prop = rng.randrange(len(places))
                        _tenancy(rng, rows, counters, tid, prop, begun, ended, places, needs)
        batch.citizens += j - i
        i = j
        if batch.citizens >= chunk:
            yield batch
            batch = Batch(new_rows())
    if batch.citizens:
        yield batch


def _tenancy(
    rng: Random, rows: dict[str, list[str]], counters: dict[str, int], tid: int, prop: int,
    start: int, end: int | None, places: Places, needs: bool,
) -> None:
    r = rng.random
    today = dates.TODAY
    iso = dates.iso
    counters["tenancy"] += 1
    tenancy_id = counters["tenancy"]
    if today - start < 365 and end is None and r() < 0.85:
        tenure = "introductory"
    elif start > dates.day(2013, 4, 1) and r() < 0.15:
        tenure = "flexible"
    else:
        tenure = "secure"
    rows["tenancy"].append(
        f"{tenancy_id}\t{tid}\t{places.uprn[prop]}\t{places.address[prop]}\t"
        f"{places.postcode[prop]}\t{tenure}\t{iso(start)}\t{iso(end) if end else NULL}\n"
    )
    # the rent account
    counters["account"] += 1
    weekly = round((82 if places.is_flat[prop] else 98) + 40 * r(), 2)
    last_payment: int | None
    if end is None:
        if r() < (0.75 if needs else 0.36):  # in arrears
            weeks_behind = min(60.0, rng.expovariate(1 / 4.5) + 0.2)
            balance = -round(weekly * weeks_behind, 2)
            last_payment = today - rng.randrange(7, 30 + int(weeks_behind * 5))
            if weeks_behind > 12 and r() < 0.2:
                last_payment = None
        else:
            balance = round(weekly * (r() * 1.5 if r() < 0.4 else 0.0), 2)
            last_payment = today - rng.randrange(0, 28)
    else:
        balance = -round(weekly * rng.expovariate(1 / 6), 2) if r() < 0.2 else 0.0
        last_payment = end - rng.randrange(0, 60)
    if last_payment is not None and last_payment < start:
        last_payment = None
    arrears_weeks = int(-balance // weekly) if balance < 0 else 0
    rows["rent_account"].append(
        f"{counters['account']}\t{tenancy_id}\t{weekly:.2f}\t{balance:.2f}\t{arrears_weeks}\t"
        f"{iso(last_payment) if last_payment else NULL}\n"
    )
    # repairs over the last three years of the tenancy
    first = max(start, today - REPAIR_WINDOW)
    last = min(end or today, today)
    if last <= first:
        return
    damp_prone = r() < (0.2 if places.is_flat[prop] else 0.1)
    count = int(rng.gammavariate(1.3, (last - first) / 365 * 1.1 / 1.3) + r())
    reports: list[tuple[int, str]] = []
    for _ in range(count):
        category = REPAIR_CATEGORY.pick(rng)
        if damp_prone and r() < 0.3:
            category = "damp and mould"
        reports.append((first + int(r() * (last - first)), category))
    reports.sort()
    for reported, category in reports:
        priority = "urgent" if category == "damp and mould" and r() < 0.7 else PRIORITY.pick(rng)
        low, high = _TARGET_DAYS[priority]
        done: int | None = reported + low + int(rng.expovariate(2 / (high - low + 1)))
        if done is not None and (done > today or r() < 0.02):
            done = None
        counters["repair"] += 1
        rows["repair"].append(
            f"{counters['repair']}\t{tenancy_id}\t{iso(reported)}\t{category}\t{priority}\t"
            f"{iso(done) if done else NULL}\n"
        )
