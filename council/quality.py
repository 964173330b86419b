"""Data-quality problems of department copies of a person's identity.

Each department keeps its own copy of name, date of birth and postcode, typed in at a desk years
apart: nicknames (Bill for William), typing slips, day and month swapped, a maiden name, the
postcode from before the person moved, fields left blank, given and family name the wrong way
round, a middle name run into the given name or only an initial, one half of a double-barrelled
name, 1 January for a date nobody knew. Errors cluster: records migrated from a department's
legacy system (a share of each department's records, from before a cut-over) have every error
several times as often, and family names in capitals. A `Quality` says how often each happens
in one department; `copy_identity` applies it to one citizen.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from random import Random

from council.names import VARIANTS

_KEYBOARD_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
_NEIGHBOURS: dict[str, str] = {}
for _row_index, _row in enumerate(_KEYBOARD_ROWS):
    for _col, _char in enumerate(_row):
        near = _row[max(0, _col - 1):_col] + _row[_col + 1:_col + 2]
        for _other in (_row_index - 1, _row_index + 1):
            if 0 <= _other < len(_KEYBOARD_ROWS):
                near += _KEYBOARD_ROWS[_other][max(0, _col - 1):_col + 1]
        _NEIGHBOURS[_char] = near


def typo(rng: Random, text: str) -> str:
    """One slip of the keyboard: letters swapped, dropped, doubled or a neighbouring key."""
    if len(text) < 3:
        return text + text[-1]
    kind = rng.getrandbits(2)
    i = rng.randint(1, len(text) - 2)  # the first letter is seldom wrong
    if kind == 0 and text[i] != text[i + 1]:
        return text[:i] + text[i + 1] + text[i] + text[i + 2:]
    if kind == 1:
        return text[:i] + text[i + 1:]
    if kind == 2:
        return text[:i] + text[i] + text[i:]
    near = _NEIGHBOURS.get(text[i].lower())
    if not near:
        return text[:i] + text[i + 1:]
    return text[:i] + near[rng.getrandbits(8) % len(near)] + text[i + 1:]


def given_variant(rng: Random, given: str) -> str:
    variants = VARIANTS.get(given)
    if not variants:
        return given
    return variants[rng.getrandbits(8) % len(variants)]


def swap_day_month(day_number: int) -> int | None:
    """The date with day and month exchanged (01/02 for 02/01), or None when that is no date."""
    d = date.fromordinal(day_number)
    if d.day > 12 or d.day == d.month:
        return None
    return date(d.year, d.day, d.month).toordinal()


def slip_date(rng: Random, day_number: int) -> int:
    """A mistyped date of birth: a digit of the year or the day off by one."""
    d = date.fromordinal(day_number)
    if rng.random() < 0.5:
        year = d.year + (1 if rng.random() < 0.5 else -1)
        if d.month == 2 and d.day == 29:
            return date(year, 2, 28).toordinal()
        return date(year, d.month, d.day).toordinal()
    return day_number + (1 if rng.random() < 0.5 else -1)


@dataclass(frozen=True)
class Quality:
    """How often a department's copy of an identity goes wrong (probabilities per record)."""

    nickname: float = 0.03
    given_typo: float = 0.01
    family_typo: float = 0.01
    old_family: float = 0.5  # of those whose family name changed, how many still have the old
    family_upper: float = 0.0
    dob_missing: float = 0.005
    dob_swapped: float = 0.005
    dob_slip: float = 0.003
    old_postcode: float = 0.4  # of those who moved, how many still have the old postcode
    postcode_missing: float = 0.01
    swapped_names: float = 0.004  # given name recorded as family name and the other way round
    middle_in_given: float = 0.05  # of those with a middle name: "John Paul" as the given name
    initial_only: float = 0.01  # the given name as its initial
    hyphen_half: float = 0.35  # of double-barrelled family names: one half recorded
    dob_default: float = 0.003  # 1 January of the year of birth, for a date nobody knew
    legacy_share: float = 0.15  # records migrated from the legacy system
    legacy_factor: float = 4.0  # how many times as often a legacy record has each error


def wrong_digit(rng: Random, value: str) -> str:
    """An identifier with one digit mistyped (NHS numbers, UPNs): the check no longer holds."""
    positions = [k for k, ch in enumerate(value) if ch.isdigit()]
    if not positions:
        return value
    k = positions[rng.getrandbits(8) % len(positions)]
    digit = str((int(value[k]) + 1 + rng.getrandbits(3)) % 10)
    return value[:k] + digit + value[k + 1:]


def copy_identity(
    rng: Random,
    quality: Quality,
    given: str,
    family: str,
    born: int,
    postcode: str | None,
    old_family: str | None,
    old_postcode: str | None,
    middle: str | None = None,
) -> tuple[str, str, int | None, str | None]:
    """A department's copy of (given name, family name, date of birth, postcode)."""
    r = rng.random
    legacy = r() < quality.legacy_share
    f = quality.legacy_factor if legacy else 1.0
    if r() < quality.nickname * f:
        given = given_variant(rng, given)
    if middle is not None and r() < quality.middle_in_given:
        given = f"{given} {middle}"
    if r() < quality.given_typo * f:
        given = typo(rng, given)
    if r() < quality.initial_only * f:
        given = given[0]
    if old_family is not None and r() < quality.old_family:
        family = old_family
    if "-" in family and r() < quality.hyphen_half:
        family = family.split("-")[rng.getrandbits(1)]
    if r() < quality.family_typo * f:
        family = typo(rng, family)
    if (quality.family_upper or legacy) and r() < (0.5 if legacy else quality.family_upper):
        family = family.upper()
    if r() < quality.swapped_names * f:
        given, family = family, given
    dob: int | None = born
    x = r() / f
    if x < quality.dob_missing:
        dob = None
    elif x < quality.dob_missing + quality.dob_swapped:
        dob = swap_day_month(born) or born
    elif x < quality.dob_missing + quality.dob_swapped + quality.dob_slip:
        dob = slip_date(rng, born)
    elif x < quality.dob_missing + quality.dob_swapped + quality.dob_slip + quality.dob_default:
        dob = date(date.fromordinal(born).year, 1, 1).toordinal()
    if old_postcode is not None and r() < quality.old_postcode:
        postcode = old_postcode
    if r() < quality.postcode_missing * f:
        postcode = None
    return given, family, dob, postcode
