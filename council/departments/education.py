"""Education: pupils of the borough's schools, enrolments, termly attendance, exclusions.

School-age citizens are mostly pupils (some go to independent schools or are educated at home;
fewer than half stay on for a sixth form). Each pupil has a unique pupil number (the real DfE
check letter) allocated by the first school they joined, a primary and a secondary enrolment
(some move school in between, some arrived from another local authority), attendance for each
term of the last three academic years in AM/PM sessions, and for a few suspensions or, rarely,
a permanent exclusion followed by a place at the pupil referral unit.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from random import Random

from council import dates
from council.batch import NULL, Batch, UniqueIds, link_line
from council.identifiers import make_upn
from council.picker import Picker
from council.places import AREAS, WARDS
from council.population import Population
from council.quality import Quality, copy_identity, wrong_digit

DEPARTMENT = "education"
TABLES = ("pupil", "enrolment", "attendance", "exclusion")

LA_NUMBER = 948  # the borough's DfE local authority number
OTHER_LA_NUMBERS = (330, 331, 332, 333, 334, 335, 336, 860, 861, 885)
IN_LA_SCHOOL = 0.93  # of school-age children: the rest go to independent schools or elsewhere
SIXTH_FORM = 0.45
INCOMER = 0.1  # pupils who arrived from another local authority's schools
DUPLICATE_RATE = 0.005
QUALITY = Quality(
    nickname=0.02, given_typo=0.005, family_typo=0.005, old_family=0.0, dob_missing=0.001,
    dob_swapped=0.003, dob_slip=0.001, old_postcode=0.5, postcode_missing=0.005,
)
SEN = Picker(("none", "sen_support", "ehc_plan"), (81.6, 13.6, 4.8))
SUSPENSION_REASONS = Picker(
    ("Persistent disruptive behaviour", "Verbal abuse or threatening behaviour against an adult",
     "Physical assault against a pupil", "Physical assault against an adult",
     "Verbal abuse or threatening behaviour against a pupil",
     "Use or threat of an offensive weapon or prohibited item",
     "Drug and alcohol related", "Damage", "Bullying", "Racist abuse", "Theft",
     "Inappropriate use of social media or online technology", "Sexual misconduct"),
    (48, 13, 11, 4, 6, 2, 3, 2, 2, 1.5, 1, 1.5, 1),
)
SUSPENSION_SESSIONS = (1, 2, 2, 2, 2, 4, 4, 4, 6, 6, 8, 10, 10, 2, 4, 20)


@dataclass(frozen=True)
class School:
    urn: int
    establishment: int
    name: str
    kind: str  # primary, secondary, special, pru
    area: int  # index into AREAS


@dataclass
class Enrolment:
    school: School
    entry: int
    leaving: int  # may lie in the future: still on roll


_SAINTS = ("Mary's", "Joseph's", "Peter's", "Anne's", "John's", "Michael's", "Patrick's",
           "Thomas More", "Bede's", "Augustine's", "Teresa's", "Chad's", "Edmund's")
_PLACES = (*(w[0].replace("'s", "s") for w in WARDS),
           "Oakwood", "Meadowbank", "Hillcrest", "Parkside", "Brookfield", "Westfield",
           "Greenacres", "Beechwood", "Moorside", "Highfields", "Woodlands", "Lakeside",
           "Springfield", "Fairfield")


def build_schools(rng: Random, citizens: int) -> dict[str, list[School]]:
    counts = {
        "primary": max(5, round(citizens / 3850)),
        "secondary": max(2, round(citizens / 15000)),
        "special": max(1, round(citizens / 90000)),
        "pru": max(1, round(citizens / 250000)),
    }
    urns = iter(rng.sample(range(100_000, 150_000), sum(counts.values())))
    names: set[str] = set()
    schools: dict[str, list[School]] = {kind: [] for kind in counts}
    number = {"primary": 2000, "secondary": 4000, "special": 7000, "pru": 1100}
    for kind, count in counts.items():
        for k in range(count):
            name = _school_name(rng, kind, names)
            number[kind] += 1 + rng.randrange(3)
            schools[kind].append(School(next(urns), number[kind], name, kind, k % len(AREAS)))
    return schools


def _school_name(rng: Random, kind: str, used: set[str]) -> str:
    for attempt in range(1000):
        place = rng.choice(_PLACES)
        if attempt > 50:
            place = f"{place} {('North', 'South', 'East', 'West', 'Park', 'Vale')[attempt % 6]}"
        x = rng.random()
        if kind == "primary":
            if x < 0.15:
                name = f"St {rng.choice(_SAINTS)} Catholic Primary School"
            elif x < 0.3:
                name = f"{place} C of E Primary School"
            elif x < 0.45:
                name = f"{place} Primary Academy"
            elif x < 0.55:
                name = f"{place} Infant and Junior School"
            else:
                name = f"{place} Primary School"
        elif kind == "secondary":
            if x < 0.12:
                name = f"St {rng.choice(_SAINTS)} Catholic High School"
            elif x < 0.5:
                name = f"{place} Academy"
            elif x < 0.8:
                name = f"{place} High School"
            else:
                name = f"{place} School"
        elif kind == "special":
            name = f"{place} Special School"
        else:
            name = f"{place} Pupil Referral Unit"
        if name not in used:
            used.add(name)
            return name
    raise RuntimeError("ran out of school names")


def _start_of_year(year: int) -> int:
    return date(year, 9, 4).toordinal()


def _end_of_year(year: int) -> int:
    """Last day of the academic year that starts in September of `year`."""
    return date(year + 1, 7, 22).toordinal()


def generate(population: Population, seed: int, chunk: int = 20_000) -> Iterator[Batch]:
    rng = Random(f"{seed}:{DEPARTMENT}")
    r = rng.random
    today = dates.TODAY
    iso = dates.iso
    schools = build_schools(rng, len(population))
    by_area = {
        kind: [[s for s in schools[kind] if s.area == a] or schools[kind] for a in range(5)]
        for kind in schools
    }
    pupil_ids = UniqueIds(rng, 100_000, 10_000_000)
    serials: dict[tuple[int, int], int] = {}
    foreign_upns: set[str] = set()
    counters = {"enrolment": 0, "attendance": 0, "exclusion": 0}
    first_year = dates.year_of(dates.FIRST_TERM_START)  # 2023: oldest academic year kept
    current_year = dates.year_of(today) - (1 if date.fromordinal(today).month < 9 else 0)
    places = population.places
    area_index = {area: k for k, area in enumerate(AREAS)}

    def pick(kind: str, area: int) -> School:
        options = by_area[kind][area] if r() < 0.85 else schools[kind]
        return options[rng.getrandbits(16) % len(options)]

    def new_rows() -> dict[str, list[str]]:
        return {table: [] for table in TABLES}

    batch = Batch(new_rows())
    for i in range(len(population)):
        batch.citizens += 1
        if batch.citizens == chunk:
            yield batch
            batch = Batch(new_rows())
            batch.citizens = 0
        born = population.born[i]
        cohort = dates.school_cohort(born)
        # year groups of the academic years kept: on roll if 0..11 (or 12..13 in a sixth form)
        reception = cohort + 5
        if reception > current_year or reception + 13 < first_year:
            continue
        if r() >= IN_LA_SCHOOL:
            continue
        sixth = r() < SIXTH_FORM
        last_year = reception + (13 if sixth else 11)
        if last_year < first_year:
            continue
        died = population.died[i]
        home = population.home[i]
        area = area_index[WARDS[places.ward[home]][1]] if home >= 0 else rng.randrange(5)
        sen = SEN.pick(rng)
        if population.sex[i] == "M" and sen == "none" and r() < 0.06:
            sen = "sen_support" if r() < 0.75 else "ehc_plan"
        deprived = AREAS[area] in ("central", "east")
        needs = population.needs[i]
        fsm = r() < (0.75 if needs else 0.34 if deprived else 0.17)

        # enrolments: primary (reception..year 6), secondary (7..11, 12..13 with a sixth form)
        arrived = reception + 1 + rng.randrange(10) if r() < INCOMER else reception
        arrival_day = _start_of_year(arrived) + (rng.randrange(200) if arrived > reception else 0)
        if arrival_day > today:
            arrived, arrival_day = reception, _start_of_year(reception)
        special = sen == "ehc_plan" and r() < 0.4
        enrolments: list[Enrolment] = []
        if arrived <= reception + 6:
            school = pick("special" if special else "primary", area)
            enrolments.append(Enrolment(school, arrival_day, _end_of_year(reception + 6)))
        secondary_start = max(_start_of_year(reception + 7), arrival_day)
        school = pick("special" if special else "secondary", area)
        enrolments.append(Enrolment(school, secondary_start, _end_of_year(last_year)))
        if r() < 0.09:  # moved school within a phase
            e = enrolments[rng.randrange(len(enrolments))]
            if e.leaving - e.entry > 200:
                split = e.entry + 100 + rng.randrange(e.leaving - e.entry - 100)
                enrolments.append(Enrolment(pick(e.school.kind, rng.randrange(5)), split + 1,
                                            e.leaving))
                e.leaving = split
                enrolments.sort(key=lambda en: en.entry)
        enrolments = [e for e in enrolments if e.entry <= today]
        if not enrolments:
            continue
        # the unique pupil number comes from the first school, in the year the pupil joined it
        first = enrolments[0]
        if arrived == reception:
            year = dates.year_of(first.entry)
            key = (first.school.establishment, year)
            serials[key] = serials.get(key, 0) + 1
            upn: str | None = make_upn(LA_NUMBER, first.school.establishment, year, serials[key])
        else:
            while True:
                upn = make_upn(rng.choice(OTHER_LA_NUMBERS), 2000 + rng.randrange(1000),
                               reception + rng.randrange(3), rng.randrange(1, 1000))
                if upn not in foreign_upns:
                    foreign_upns.add(upn)
                    break

        # exclusions, year by year; a permanent one ends the enrolment: then the PRU
        exclusions: list[tuple[int, str, int, str]] = []
        boost = (2.5 if sen == "sen_support" else 3.0 if sen == "ehc_plan" else 1.0) * (
            1.6 if population.sex[i] == "M" else 0.5) * (1.8 if fsm else 1.0) * (
            3.0 if needs else 1.0)
        for year in range(max(first_year, reception + 1), min(current_year, last_year) + 1):
            group = year - reception
            base = 0.045 if group >= 7 else 0.008
            if r() < base * boost:
                for _ in range(1 + (r() < 0.35) + (r() < 0.15)):
                    day = _start_of_year(year) + rng.randrange(300)
                    if day < today and (not died or day < died):
                        exclusions.append((day, "suspension",
                                           SUSPENSION_SESSIONS[rng.getrandbits(4)],
                                           SUSPENSION_REASONS.pick(rng)))
            if group >= 7 and r() < 0.0015 * boost:
                day = _start_of_year(year) + rng.randrange(280)
                if day < today - 10 and (not died or day < died):
                    exclusions.append((day, "permanent", 10, SUSPENSION_REASONS.pick(rng)))
                    for e in enrolments:
                        if e.entry <= day < e.leaving:
                            pru = pick("pru", area)
                            enrolments.append(Enrolment(pru, day + 8, e.leaving))
                            e.leaving = day + 5
                            break
                    enrolments.sort(key=lambda en: en.entry)
                    break
        if died:
            enrolments = [e for e in enrolments if e.entry < died]
            for e in enrolments:
                e.leaving = min(e.leaving, died)
        if not enrolments or max(e.leaving for e in enrolments) < dates.FIRST_TERM_START:
            continue

        records = 2 if r() < DUPLICATE_RATE else 1
        for record in range(records):
            pid = pupil_ids.next()
            given, family, dob, postcode = copy_identity(
                rng, QUALITY, population.given[i], population.family[i], born,
                population.postcode(i), population.old_family[i], population.old_postcode(i),
                middle=population.middle[i],
            )
            this_upn = upn if (record == 0 and r() > 0.005) else None
            if this_upn is not None and r() < 0.005:
                this_upn = wrong_digit(rng, this_upn)
            batch.rows["pupil"].append(
                f"{pid}\t{this_upn or NULL}\t{given}\t{family}\t{iso(dob) if dob else NULL}\t"
                f"{postcode or NULL}\t{sen}\t{'1' if fsm else '0'}\n"
            )
            batch.truth.append(f"{DEPARTMENT}\t{pid}\t{i + 1}\n")
            if record == 1:  # a second registration: one short enrolment, nothing else
                e = enrolments[-1]
                counters["enrolment"] += 1
                batch.rows["enrolment"].append(
                    f"{counters['enrolment']}\t{pid}\t{e.school.urn}\t{e.school.name}\t"
                    f"{iso(e.entry)}\t{iso(min(e.entry + 3, today))}\t"
                    f"{_year_group(reception, e.entry)}\n"
                )
                continue
            x = r()
            if x < 0.96:
                method = "probabilistic" if x < 0.9 else "manual"
                batch.links.append(link_line(DEPARTMENT, pid, i + 1, method))
            for e in enrolments:
                counters["enrolment"] += 1
                leaving = iso(e.leaving) if e.leaving <= today else NULL
                batch.rows["enrolment"].append(
                    f"{counters['enrolment']}\t{pid}\t{e.school.urn}\t{e.school.name}\t"
                    f"{iso(e.entry)}\t{leaving}\t"
                    f"{_year_group(reception, min(e.leaving, today))}\n"
                )
            _attendance(rng, batch.rows["attendance"], counters, pid, enrolments, fsm, sen,
                        needs)
            for day, kind, sessions, reason in sorted(exclusions):
                counters["exclusion"] += 1
                batch.rows["exclusion"].append(
                    f"{counters['exclusion']}\t{pid}\t{iso(day)}\t{kind}\t{sessions}\t{reason}\n"
                )
    if batch.citizens or any(batch.rows.values()):
        yield batch


def _year_group(reception: int, on: int) -> int:
    d = date.fromordinal(on)
    academic = d.year if d.month >= 8 else d.year - 1
    return max(0, min(13, academic - reception))


def _attendance(
    rng: Random, lines: list[str], counters: dict[str, int], pid: int,
    enrolments: list[Enrolment], fsm: bool, sen: str, needs: bool,
) -> None:
    """Possible, attended, authorised and unauthorised sessions, term by term while on roll."""
    r = rng.random
    median = 0.045 * (1.4 if fsm else 1.0) * (1.3 if sen != "none" else 1.0) * (
        2.2 if needs else 1.0)
    propensity = min(0.9, median * rng.lognormvariate(0.0, 1.0))
    today = dates.TODAY
    for academic_year, term, first, last, sessions in dates.TERMS:
        if first > today:
            break
        on_roll = 0
        for e in enrolments:
            on_roll += max(0, min(e.leaving, last) - max(e.entry, first) + 1)
        if on_roll <= 0:
            continue
        possible = round(sessions * min(1.0, on_roll / (last - first + 1)))
        if possible <= 0:
            continue
        rate = min(0.98, propensity * rng.lognormvariate(0.0, 0.35) * (1.15 if term == "spring"
                                                                       else 1.0))
        absent = min(possible, int(possible * rate + r()))
        unauthorised_share = min(0.9, 0.18 + 1.5 * propensity) * (0.6 + 0.8 * r())
        unauthorised = min(absent, int(absent * unauthorised_share + r()))
        authorised = absent - unauthorised
        counters["attendance"] += 1
        lines.append(
            f"{counters['attendance']}\t{pid}\t{academic_year}\t{term}\t{possible}\t"
            f"{possible - absent}\t{authorised}\t{unauthorised}\n"
        )
