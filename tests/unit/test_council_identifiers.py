"""Identifier schemes of the synthetic council, against known-good published examples."""

from __future__ import annotations

import random

import pytest

from council.identifiers import (
    NI_PREFIXES,
    is_valid_nhs_number,
    is_valid_ni_number,
    is_valid_postcode,
    is_valid_upn,
    make_upn,
    nhs_check_digit,
    outward_code,
    upn_check_letter,
)
from council.population import nhs_numbers


@pytest.mark.parametrize("number", ["9434765919", "4010232137"])  # NHS Digital's examples
def test_known_good_nhs_numbers(number: str) -> None:
    assert is_valid_nhs_number(number)
    assert nhs_check_digit(number[:9]) == int(number[9])


@pytest.mark.parametrize("number", ["9434765918", "4010232138", "943476591", "94347659190",
                                    "94347659X9"])
def test_bad_nhs_numbers(number: str) -> None:
    assert not is_valid_nhs_number(number)


def test_remainder_ten_is_never_issued() -> None:
    # weights 10..2 over 000000001: 2 -> 11 - 2 = 9; find a stem whose check would be 10
    stems = [f"{n:09d}" for n in range(1000, 1100)]
    never = [s for s in stems if nhs_check_digit(s) is None]
    assert never, "some stems have no valid check digit"
    for stem in never:
        total = sum(int(d) * w for d, w in zip(stem, range(10, 1, -1), strict=True))
        assert 11 - total % 11 == 10
        assert not any(is_valid_nhs_number(stem + str(d)) for d in range(10))


def test_generated_nhs_numbers_are_valid_and_distinct() -> None:
    numbers = nhs_numbers(random.Random(1), 5000, spaces=((400_000_000, 100_000_000),))
    assert len(set(numbers)) == 5000
    assert all(is_valid_nhs_number(n) and n.startswith("4") for n in numbers)


def test_known_good_upn() -> None:
    # python-stdnum's and the DfE guide's worked example
    assert upn_check_letter("801200005001") == "B"
    assert is_valid_upn("B801200005001")
    assert not is_valid_upn("A801200005001")


def test_upn_check_letter_skips_i_o_s() -> None:
    letters = {upn_check_letter(f"9482001{n:05d}") for n in range(2000)}
    assert letters.isdisjoint(set("IOS"))
    assert len(letters) == 23


def test_make_upn_round_trip() -> None:
    upn = make_upn(948, 2017, 2019, 42)
    assert upn[1:] == "948201719042"
    assert is_valid_upn(upn)


def test_ni_prefixes_leave_out_the_unallocated() -> None:
    assert len(NI_PREFIXES) == 20 * 19 - 7
    for bad in ("BG", "GB", "KN", "NK", "NT", "TN", "ZZ", "DA", "AD", "FA", "QQ", "AO", "VA"):
        assert bad not in NI_PREFIXES
    assert "AB" in NI_PREFIXES and "OA" in NI_PREFIXES  # O may come first, never second


@pytest.mark.parametrize(
    ("number", "valid"),
    [("AB123456C", True), ("QQ123456C", False), ("GB123456A", False), ("AB123456E", False),
     ("AO123456A", False), ("AB12345C", False), ("ab123456c", False)],
)
def test_ni_numbers(number: str, valid: bool) -> None:
    assert is_valid_ni_number(number) is valid


@pytest.mark.parametrize(
    ("postcode", "valid"),
    [("B15 2TT", True), ("KF12 3HQ", True), ("SW1A 1AA", True), ("KF1 1AB", True),
     ("KF1 1AC", False), ("KF11AB", False), ("QF1 1AB", False), ("KF1 AB1", False)],
)
def test_postcodes(postcode: str, valid: bool) -> None:
    assert is_valid_postcode(postcode) is valid


def test_outward_code() -> None:
    assert outward_code("KF12 3HQ") == "KF12"
