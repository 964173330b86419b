"""The people of the synthetic council: the registry's citizens and what is true about them.

`build_population(citizens, seed)` draws, from one random stream of its own, the properties of
the borough and households living in them: ages from an age pyramid (the pool of ages is drawn
first, then shared out among family, couple, single and shared households, so the pyramid holds
exactly), names by heritage and birth era, sex, National Insurance and NHS numbers, movers (with
the address they left), changed family names, deaths, the national data opt-out. A second stream
marks the households with multiple needs: the departments each see more of them (social care,
absence and exclusions, rent arrears, no GP registration), so the people a council finds only by
putting departments together exist in every council the generator makes.
Columns are parallel lists indexed by citizen number (citizen_id - 1); departments read them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from random import Random

from council import dates
from council.identifiers import NI_PREFIXES, NI_SUFFIXES
from council.names import HERITAGE_PICKER, HERITAGES, given_picker
from council.picker import Picker
from council.places import Places, build_places, ward_name

# Share of the population by age band (years from, years to), England-like.
AGE_BANDS: tuple[tuple[int, int, float], ...] = (
    (0, 5, 5.5), (5, 10, 5.9), (10, 15, 6.1), (15, 20, 5.9), (20, 25, 6.2), (25, 30, 6.6),
    (30, 35, 6.9), (35, 40, 6.7), (40, 45, 6.4), (45, 50, 6.1), (50, 55, 6.8), (55, 60, 6.8),
    (60, 65, 6.0), (65, 70, 5.1), (70, 75, 4.8), (75, 80, 4.0), (80, 85, 2.6), (85, 90, 1.6),
    (90, 95, 0.7), (95, 100, 0.2), (100, 105, 0.03),
)
_BAND_PICKER = Picker(list(range(len(AGE_BANDS))), [w for *_, w in AGE_BANDS], bits=14)

_KIDS, _YOUNG, _MID, _OLDER, _SENIOR = range(5)  # pools: 0-17, 18-29, 30-49, 50-64, 65+
_HOUSEHOLD_OF_ADULTS = Picker(
    ("single", "couple", "shared"), (0.45, 0.50, 0.05), bits=10
)
OPT_OUT_RATE = 0.03
MOVED_RATE = 0.12  # households that moved within the borough in the last three years
NO_FIXED_ABODE = 0.003
NEEDS_FAMILY = 0.08  # households with children that have multiple needs
NEEDS_OTHER = 0.02  # other households with multiple needs


def _pool_of(age_days: int) -> int:
    years = age_days / 365.2425
    if years < 18:
        return _KIDS
    if years < 30:
        return _YOUNG
    if years < 50:
        return _MID
    if years < 65:
        return _OLDER
    return _SENIOR


@dataclass
class Population:
    """Every citizen, as columns. Index i is citizen_id i + 1."""

    seed: int
    places: Places
    given: list[str]
    family: list[str]
    born: list[int]
    sex: list[str]
    ni: list[str | None]
    nhs: list[str]  # every citizen has one; the registry does not record it
    home: list[int]  # property index, -1 for no fixed abode
    previous_home: list[int]  # -1 when not moved in the last three years
    moved_on: list[int]  # day moved into home, 0 when not moved
    old_family: list[str | None]  # family name before marriage, when it changed
    died: list[int]  # day of death, 0 when alive
    opt_out: list[bool]
    household: list[int]
    is_head: list[bool]
    heritage: list[int]
    needs: list[bool]  # lives in a household with multiple needs
    # what the registry holds, which is not always the truth: stale addresses, slips, 1 January
    registry_given: list[str] = field(default_factory=list)
    registry_family: list[str] = field(default_factory=list)
    registry_born: list[int] = field(default_factory=list)
    registry_home: list[int] = field(default_factory=list)
    middle: list[str | None] = field(default_factory=list)
    registered: int = 0  # people 0..registered-1 are in the registry; the rest are not (yet)

    def __len__(self) -> int:
        return len(self.born)

    def postcode(self, i: int) -> str | None:
        home = self.home[i]
        return self.places.postcode[home] if home >= 0 else None

    def old_postcode(self, i: int) -> str | None:
        prev = self.previous_home[i]
        if prev < 0 or self.born[i] >= self.moved_on[i]:
            return None
        return self.places.postcode[prev]

    def age(self, i: int, on: int = dates.TODAY) -> int:
        return dates.age_on(self.born[i], on)

    def citizen_row(self, i: int) -> str:
        home = self.registry_home[i]
        places = self.places
        if home >= 0:
            address = f"{places.uprn[home]}\t{places.address[home]}\t{places.postcode[home]}\t"
            address += ward_name(places.ward[home])
        else:
            address = "\\N\t\\N\t\\N\t\\N"
        ni = self.ni[i] or "\\N"
        died = dates.iso(self.died[i]) if self.died[i] else "\\N"
        return (
            f"{i + 1}\t{self.registry_given[i]}\t{self.registry_family[i]}\t"
            f"{dates.iso(self.registry_born[i])}\t"
            f"{self.sex[i]}\t{ni}\t{address}\t{'1' if self.opt_out[i] else '0'}\t{died}\n"
        )


def draw_age_days(rng: Random) -> int:
    low, high, _ = AGE_BANDS[_BAND_PICKER.pick(rng)]
    years = low + (high - low) * (rng.random() if high <= 90 else rng.random() ** 1.6)
    return int(years * 365.2425)


def build_population(citizens: int, seed: int) -> Population:
    rng = Random(f"{seed}:registry")
    today = dates.TODAY

    # 1. the pool of ages, by pool
    pools: list[list[int]] = [[], [], [], [], []]
    for _ in range(citizens):
        age_days = draw_age_days(rng)
        pools[_pool_of(age_days)].append(today - age_days)

    # 2. households: families take the children, then adults form the rest
    households: list[list[tuple[int, str]]] = []  # members: (born, role)

    def take(preferred: tuple[int, ...]) -> int | None:
        for pool in preferred:
            if pools[pool]:
                return pools[pool].pop()
        for pool in (_MID, _YOUNG, _OLDER, _SENIOR, _KIDS):
            if pools[pool]:
                return pools[pool].pop()
        return None

    def take_near(preferred: tuple[int, ...], target: int, tries: int = 8) -> int | None:
        """From the first non-empty pool, the best of a few random picks born near `target`."""
        for pool in preferred:
            members = pools[pool]
            if members:
                size = len(members)
                best = int(rng.random() * size)
                for _ in range(tries - 1):
                    k = int(rng.random() * size)
                    if abs(members[k] - target) < abs(members[best] - target):
                        best = k
                born_day = members[best]
                members[best] = members[-1]
                members.pop()
                return born_day
        return take(())

    year = 365.2425
    while pools[_KIDS]:
        adult_pool = (_MID, _YOUNG, _OLDER)[0 if rng.random() < 0.72 else (1 if rng.random() < 0.6 else 2)]
        head = take((adult_pool,))
        if head is None:
            break
        members = [(head, "head")]
        if rng.random() < 0.75:
            partner = take_near((adult_pool, _MID, _YOUNG), head + int(rng.gauss(0, 3) * year))
            if partner is not None:
                members.append((partner, "partner"))
        for _ in range(1 + (rng.random() < 0.55) + (rng.random() < 0.22)):
            if not pools[_KIDS]:
                break
            child = take_near((_KIDS,), head + int(rng.gauss(29, 5) * year))
            if child is not None:
                members.append((child, "child"))
        households.append(members)
    while any(pools):
        kind = _HOUSEHOLD_OF_ADULTS.pick(rng)
        band = (_YOUNG, _MID, _OLDER, _SENIOR)[rng.getrandbits(2)]
        first = take((band,))
        if first is None:
            break
        members = [(first, "head")]
        if kind == "couple":
            partner = take_near((_pool_of(today - first),), first + int(rng.gauss(0, 3) * year))
            if partner is not None:
                members.append((partner, "partner"))
        elif kind == "shared":
            for _ in range(2):
                other = take((_YOUNG,))
                if other is not None:
                    members.append((other, "other"))
        households.append(members)
    rng.shuffle(households)

    # 3. places: one property per household plus some empty ones
    places = build_places(rng, int(len(households) * 1.04) + 10)
    homes = rng.sample(range(len(places)), len(households))

    given: list[str] = []
    family: list[str] = []
    born: list[int] = []
    sex: list[str] = []
    home: list[int] = []
    previous_home: list[int] = []
    moved_on: list[int] = []
    old_family: list[str | None] = []
    died: list[int] = []
    opt_out: list[bool] = []
    household: list[int] = []
    is_head: list[bool] = []
    heritage: list[int] = []
    r = rng.random
    three_years = 3 * 365
    for h, members in enumerate(households):
        culture = HERITAGE_PICKER.pick(rng)
        surname = HERITAGES[culture][0].family.pick(rng)
        property_index = homes[h]
        if len(members) == 1 and r() < NO_FIXED_ABODE * 2.5:
            property_index = -1
        moved = property_index >= 0 and r() < MOVED_RATE
        previous = rng.randrange(len(places)) if moved else -1
        moved_day = today - 14 - rng.randrange(three_years) if moved else 0
        head_sex = "F" if r() < 0.5 else "M"
        for born_day, role in members:
            member_culture = culture
            if role == "head":
                s = head_sex
            elif role == "partner":
                s = ("M" if head_sex == "F" else "F") if r() < 0.95 else head_sex
                if r() < 0.1:
                    member_culture = HERITAGE_PICKER.pick(rng)
            else:
                s = "F" if r() < 0.49 else "M"
            if r() < 0.001:
                s = "U"
            shares_name = (
                role == "head"
                or (role == "child" and r() < 0.92)
                or (role == "partner" and r() < 0.7)
            )
            name = surname if shares_name else HERITAGES[member_culture][0].family.pick(rng)
            maiden = None
            if role == "partner" and s == "F" and name == surname and r() < 0.45:
                maiden = HERITAGES[member_culture][0].family.pick(rng)
                if maiden == name:
                    maiden = None
            year = dates.year_of(born_day)
            given.append(given_picker(member_culture, s, year).pick(rng))
            family.append(name)
            born.append(born_day)
            sex.append(s)
            home.append(property_index)
            previous_home.append(previous)
            moved_on.append(moved_day)
            old_family.append(maiden)
            age = (today - born_day) / 365.2425
            yearly = 0.00025 * 2.718281828 ** (0.1 * (age - 30)) if age > 1 else 0.004
            died.append(today - rng.randrange(three_years) if r() < min(0.6, 3 * yearly) else 0)
            if died[-1] and died[-1] <= born_day:
                died[-1] = 0
            opt_out.append(r() < OPT_OUT_RATE)
            household.append(h)
            is_head.append(role == "head")
            heritage.append(member_culture)

    n = len(born)
    # 4. identifiers: NI numbers for those of 16 and over (a few missing), NHS numbers for all
    sixteen = today - int(16 * 365.2425)
    with_ni = [i for i in range(n) if born[i] <= sixteen and r() < 0.97]
    ni: list[str | None] = [None] * n
    for i, number in zip(with_ni, rng.sample(range(len(NI_PREFIXES) * 1_000_000), len(with_ni)),
                         strict=True):
        prefix, digits = divmod(number, 1_000_000)
        ni[i] = f"{NI_PREFIXES[prefix]}{digits:06d}{NI_SUFFIXES[rng.getrandbits(2)]}"
    nhs = nhs_numbers(rng, n, spaces=((400_000_000, 100_000_000), (600_000_000, 100_000_000)))
    # 5. households with multiple needs, from a stream of their own (the rest stays as it was)
    eighteen = today - int(18 * 365.2425)
    families = {household[k] for k in range(n) if born[k] > eighteen}
    marks = Random(f"{seed}:needs")
    needy = {h for h in range(len(households))
             if marks.random() < (NEEDS_FAMILY if h in families else NEEDS_OTHER)}
    needs = [household[k] in needy for k in range(n)]
    population = Population(
        seed, places, given, family, born, sex, ni, nhs, home, previous_home, moved_on,
        old_family, died, opt_out, household, is_head, heritage, needs,
    )
    _harden(population, Random(f"{seed}:identity"))
    return population


# What makes linkage hard, from a stream of its own (the registry's stream stays as it was).
RARE_NAME_HOUSEHOLDS = 0.35  # households whose family name is from the long tail
DOUBLE_BARRELLED = 0.03  # families whose children carry both parents' names
TWINS = 0.025  # families with two or more children where two were born together
MIDDLE_NAME = 0.4
UNREGISTERED = 0.02  # people departments know who are not (yet) in the registry
REGISTRY_STALE_ADDRESS = 0.25  # of those who moved, the registry still has the old address
REGISTRY_TYPO = 0.004
REGISTRY_DOB_DEFAULT = 0.002


def _harden(p: Population, rng: Random) -> None:
    """Rare names, double-barrelled names, twins, middle names; people the registry lacks; and
    the registry's own copy of everyone, with its errors."""
    from council.names import RARE_FAMILY
    from council.quality import typo

    r = rng.random
    n = len(p)
    members: dict[int, list[int]] = {}
    for k in range(n):
        members.setdefault(p.household[k], []).append(k)
    eighteen = dates.TODAY - int(18 * 365.2425)
    for people in members.values():
        head = next((k for k in people if p.is_head[k]), people[0])
        surname = p.family[head]
        if r() < RARE_NAME_HOUSEHOLDS:
            rare = RARE_FAMILY.pick(rng)
            for k in people:
                if p.family[k] == surname:
                    p.family[k] = rare
            surname = rare
        children = [k for k in people if p.born[k] > eighteen]
        if children and r() < DOUBLE_BARRELLED:
            other = HERITAGES[p.heritage[head]][0].family.pick(rng)
            if other != surname and "-" not in surname:
                for k in children:
                    p.family[k] = f"{surname}-{other}"
        if len(children) >= 2 and r() < TWINS:
            p.born[children[1]] = p.born[children[0]]
    p.middle = [given_picker(p.heritage[k], p.sex[k], dates.year_of(p.born[k])).pick(rng)
                if r() < MIDDLE_NAME else None for k in range(n)]
    for k in range(n):  # a middle name is never the given name again
        if p.middle[k] == p.given[k]:
            p.middle[k] = None
    # the registry's copy, before the unregistered are added
    p.registered = n
    p.registry_given = list(p.given)
    p.registry_family = list(p.family)
    p.registry_born = list(p.born)
    p.registry_home = list(p.home)
    for k in range(n):
        if p.previous_home[k] >= 0 and r() < REGISTRY_STALE_ADDRESS:
            p.registry_home[k] = p.previous_home[k]
        if r() < REGISTRY_TYPO:
            p.registry_given[k] = typo(rng, p.registry_given[k])
        if r() < REGISTRY_TYPO:
            p.registry_family[k] = typo(rng, p.registry_family[k])
        if r() < REGISTRY_DOB_DEFAULT:
            year = dates.year_of(p.born[k])
            p.registry_born[k] = dates.day(year, 1, 1)
    # newborns and newcomers joining a household the registry knows, not yet in it themselves
    extra = int(n * UNREGISTERED)
    heads = [k for k in range(n) if p.is_head[k] and p.home[k] >= 0]
    stems = nhs_numbers(rng, extra, spaces=((850_000_000, 50_000_000),)) if extra else []
    for number in stems:
        head = heads[rng.randrange(len(heads))]
        newborn = r() < 0.6
        born_day = (dates.TODAY - rng.randrange(600) if newborn
                    else dates.TODAY - int((18 + 42 * r()) * 365.2425))
        sex = "F" if r() < 0.5 else "M"
        p.given.append(given_picker(p.heritage[head], sex, dates.year_of(born_day)).pick(rng))
        p.family.append(p.family[head] if newborn or r() < 0.5
                        else HERITAGES[p.heritage[head]][0].family.pick(rng))
        p.born.append(born_day)
        p.sex.append(sex)
        p.ni.append(None)
        p.nhs.append(number)
        p.home.append(p.home[head])
        p.previous_home.append(-1)
        p.moved_on.append(0)
        p.old_family.append(None)
        p.died.append(0)
        p.opt_out.append(r() < OPT_OUT_RATE)
        p.household.append(p.household[head])
        p.is_head.append(False)
        p.heritage.append(p.heritage[head])
        p.needs.append(p.needs[head])
        p.middle.append(None)


def _partial_sums(weights: tuple[int, int, int]) -> tuple[int, ...]:
    return tuple(
        (n // 100) * weights[0] + (n // 10 % 10) * weights[1] + (n % 10) * weights[2]
        for n in range(1000)
    )


_NHS_PARTIAL_SUMS = (_partial_sums((10, 9, 8)), _partial_sums((7, 6, 5)), _partial_sums((4, 3, 2)))


def nhs_numbers(rng: Random, count: int, spaces: tuple[tuple[int, int], ...]) -> list[str]:
    """`count` distinct valid NHS numbers whose 9-digit stems lie in the given (start, size)
    spaces; stems whose check digit would be 10 are never issued, so they are skipped."""
    total = sum(size for _, size in spaces)
    out: list[str] = []
    high, middle, low = _NHS_PARTIAL_SUMS
    for drawn in rng.sample(range(total), count + count // 8 + 64):
        for start, size in spaces:
            if drawn < size:
                stem = start + drawn
                break
            drawn -= size
        # the weighted digit sum, three digits at a time (same as nhs_check_digit, faster)
        check = 11 - (high[stem // 1_000_000] + middle[stem // 1000 % 1000] + low[stem % 1000]) % 11
        if check != 10:
            out.append(f"{stem:09d}{0 if check == 11 else check}")
            if len(out) == count:
                return out
    raise RuntimeError("not enough NHS numbers drawn")  # 1 in 11 fail; never this many
