"""The council's calendar: a fixed reference day (so the same seed always gives the same rows)
and day numbers (proleptic ordinals) written as ISO dates through one precomputed table."""

from __future__ import annotations

from datetime import date

AS_OF = date(2026, 3, 31)  # the day the synthetic council's data is "extracted"
TODAY = AS_OF.toordinal()

_FIRST = date(1900, 1, 1).toordinal()
_LAST = date(2031, 12, 31).toordinal()
_ISO: tuple[str, ...] = tuple(date.fromordinal(day).isoformat() for day in range(_FIRST, _LAST + 1))


def iso(day: int) -> str:
    """ISO text of a day number (fast: a table look-up)."""
    return _ISO[day - _FIRST]


def day(year: int, month: int, dom: int) -> int:
    return date(year, month, dom).toordinal()


def year_of(day_number: int) -> int:
    return date.fromordinal(day_number).year


def age_on(born: int, on: int) -> int:
    b = date.fromordinal(born)
    d = date.fromordinal(on)
    return d.year - b.year - ((d.month, d.day) < (b.month, b.day))


def school_cohort(born: int) -> int:
    """The calendar year whose 1 September starts the pupil's birth cohort (Sep..Aug).

    A child of cohort c starts reception in September of c + 5; its national curriculum year
    group in the academic year starting in September of year s is s - c - 5.
    """
    b = date.fromordinal(born)
    return b.year if b.month >= 9 else b.year - 1


# Terms of the academic years the attendance history covers: (academic year, term, first day,
# last day, possible sessions over the whole term). Two sessions (AM, PM) per school day.
TERMS: tuple[tuple[str, str, int, int, int], ...] = (
    ("2023/24", "autumn", day(2023, 9, 4), day(2023, 12, 20), 140),
    ("2023/24", "spring", day(2024, 1, 4), day(2024, 3, 28), 112),
    ("2023/24", "summer", day(2024, 4, 15), day(2024, 7, 23), 132),
    ("2024/25", "autumn", day(2024, 9, 3), day(2024, 12, 20), 144),
    ("2024/25", "spring", day(2025, 1, 6), day(2025, 4, 4), 118),
    ("2024/25", "summer", day(2025, 4, 22), day(2025, 7, 22), 124),
    ("2025/26", "autumn", day(2025, 9, 3), day(2025, 12, 19), 142),
    ("2025/26", "spring", day(2026, 1, 5), day(2026, 3, 27), 112),
)
FIRST_TERM_START = TERMS[0][2]
