"""The identifiers of the synthetic council, built and checked the way the real schemes do it.

NHS number: 10 digits, the last a modulus-11 check digit over the first nine (weights 10..2;
11 - remainder, 11 becomes 0, 10 is never issued). Unique pupil number (DfE): a check letter
then 12 characters (LA number, establishment number, year, serial); the letter is the sum of
characters 2..13 times weights 2..13, modulo 23, read in ABCDEFGHJKLMNPQRTUVWXYZ. National
Insurance number: two prefix letters, six digits, suffix A-D, with the prefixes HMRC never
allocates left out. Postcodes: outward code (area + district) and inward code (sector digit +
two unit letters, never C I K M O V).
"""

from __future__ import annotations

import re

# --- NHS number -----------------------------------------------------------------------------

_NHS_WEIGHTS = (10, 9, 8, 7, 6, 5, 4, 3, 2)


def nhs_check_digit(stem: str) -> int | None:
    """The check digit of a 9-digit stem, or None when the stem is never issued (remainder 10)."""
    total = sum(int(digit) * weight for digit, weight in zip(stem, _NHS_WEIGHTS, strict=True))
    check = 11 - total % 11
    if check == 11:
        return 0
    if check == 10:
        return None
    return check


def is_valid_nhs_number(number: str) -> bool:
    if len(number) != 10 or not number.isdigit():
        return False
    return nhs_check_digit(number[:9]) == int(number[9])


def format_nhs_number(number: str) -> str:
    """Shown 3-3-4, e.g. 943 476 5919."""
    return f"{number[:3]} {number[3:6]} {number[6:]}"


# --- Unique pupil number ----------------------------------------------------------------------

UPN_ALPHABET = "ABCDEFGHJKLMNPQRTUVWXYZ"  # 23 letters: no I, O, S


def upn_check_letter(body: str) -> str:
    """The check letter of the 12 characters after it (digits; a temporary UPN ends in a letter)."""
    total = 0
    for weight, char in enumerate(body, start=2):
        total += weight * (int(char) if char.isdigit() else UPN_ALPHABET.index(char))
    return UPN_ALPHABET[total % 23]


def make_upn(la_number: int, establishment: int, year: int, serial: int) -> str:
    body = f"{la_number:03d}{establishment:04d}{year % 100:02d}{serial:03d}"
    return upn_check_letter(body) + body


def is_valid_upn(upn: str) -> bool:
    if len(upn) != 13 or upn[0] not in UPN_ALPHABET or not upn[1:12].isdigit():
        return False
    if not (upn[12].isdigit() or upn[12] in UPN_ALPHABET):
        return False
    return upn_check_letter(upn[1:]) == upn[0]


# --- National Insurance number ----------------------------------------------------------------

_NI_NOT_FIRST = set("DFIQUV")
_NI_NOT_SECOND = set("DFIOQUV")
_NI_NOT_ALLOCATED = {"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"}

NI_PREFIXES: tuple[str, ...] = tuple(
    first + second
    for first in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    if first not in _NI_NOT_FIRST
    for second in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    if second not in _NI_NOT_SECOND and first + second not in _NI_NOT_ALLOCATED
)
NI_SUFFIXES = "ABCD"

_NI_PATTERN = re.compile(r"[A-Z]{2}[0-9]{6}[A-D]")


def is_valid_ni_number(number: str) -> bool:
    return bool(_NI_PATTERN.fullmatch(number)) and number[:2] in NI_PREFIXES


# --- Postcodes ----------------------------------------------------------------------------------

POSTCODE_UNIT_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"  # inward unit letters: never C I K M O V
_POSTCODE_PATTERN = re.compile(
    r"([A-PR-UWYZ][A-HK-Y]?[0-9][0-9A-Z]?) ([0-9][ABD-HJLNP-UW-Z]{2})"
)


def is_valid_postcode(postcode: str) -> bool:
    return bool(_POSTCODE_PATTERN.fullmatch(postcode))


def outward_code(postcode: str) -> str:
    return postcode.split(" ", 1)[0]
