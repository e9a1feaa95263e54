"""Resident ID (GB 11643) and credit code (GB 32100) checks agree with python-stdnum.

``stdnum.cn.ric`` and ``stdnum.cn.uscc`` are an independent implementation. Where they cover
a case, the verdicts must be equal; where our rules are stricter by design (birth date in the
future or before 1900) or stdnum's are (a county unknown to its table, a credit code whose first
two characters are letters) the case is checked against our own documented rule instead.
Bulk: a seeded generator over >= 100,000 values; structure: hypothesis.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from functools import cache
from pathlib import Path

import stdnum.cn
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from stdnum.cn import ric, uscc
from stdnum.exceptions import ValidationError

import forms
from forms.ids import USCC_ALPHABET

TODAY = dt.date.today()
DIGITS = "0123456789"


def _known_divisions() -> list[str]:
    """6-digit county codes from stdnum's own table (so its place check can pass)."""
    codes: list[str] = []
    province = ""
    for line in (Path(stdnum.cn.__file__).parent / "loc.dat").read_text("utf-8").splitlines():
        if m := re.match(r"(\d\d) ", line):
            province = m[1]
        elif (m := re.match(r"  (\d{4}) ", line)) and province:
            codes.append(province + m[1])
    return sorted(set(codes))


DIVISIONS = _known_divisions()


@cache
def _place_known(division: str, year: int) -> bool:
    try:
        ric.get_birth_place(f"{division}{year:04d}0101000X")
    except (ValidationError, KeyError):  # stdnum raises KeyError for a few table rows
        return False
    return True


def stdnum_ric(number: str) -> bool | None:
    """stdnum's verdict, or None where it depends on its county table only.

    The same steps as ``ric.validate`` with the county lookup memoised (it is slow)."""
    n = ric.compact(number)
    if len(n) != 18 or not n[:-1].isdigit() or not n[:-1].isascii():
        return False
    if n[-1] != ric.calc_check_digit(n):
        return False
    try:
        born = ric.get_birth_date(n)
    except ValidationError:
        return False
    if not _place_known(n[:6], born.year):
        return None  # stdnum rejects by its county table: not a case it covers for us
    return True


def check_ric(number: str) -> None:
    mine = forms.is_valid_resident_id(number, TODAY)
    n = number.upper()
    if len(n) == 15 and n.isdigit() and n.isascii():
        # a legacy 15-digit number: we upgrade it (19YY birth year, computed check character);
        # stdnum knows only 18 characters, so it judges the upgraded form
        n = forms.upgrade_resident_id(n)
    theirs = stdnum_ric(n)
    if theirs is None:
        return
    if theirs and not mine:
        # our stricter rules: born in the future or before 1900, or an unknown province
        birth = dt.date(int(n[6:10]), int(n[10:12]), int(n[12:14]))
        assert birth > TODAY or birth.year < 1900, number
        return
    assert mine == theirs, number


def stdnum_uscc(code: str) -> bool | None:
    """stdnum's verdict where it covers the case (it wants digits in positions 1-8)."""
    if len(code) == 18 and not code[:2].isdigit():
        return None
    return uscc.is_valid(code)


def check_uscc(code: str) -> None:
    mine = forms.is_valid_uscc(code)
    theirs = stdnum_uscc(code)
    if theirs is None:
        # our own rule: alphabet, digits in 3-8, check character
        expected = (
            len(code) == 18
            and all(c in USCC_ALPHABET for c in code)
            and code[2:8].isdigit()
            and forms.uscc_check_char(code[:17]) == code[17]
        )
        assert mine == expected, code
        return
    assert mine == theirs, code


# --- generators --------------------------------------------------------------------------


def make_ric(rng: random.Random) -> str:
    div = rng.choice(DIVISIONS)
    born = dt.date(1900, 1, 1) + dt.timedelta(
        days=rng.randrange((TODAY - dt.date(1900, 1, 1)).days)
    )
    first17 = f"{div}{born:%Y%m%d}{rng.randrange(1000):03d}"
    return first17 + forms.resident_id_check_char(first17)


def make_uscc(rng: random.Random) -> str:
    first = rng.choice("159Y8")
    second = rng.choice("123459") if first != "8" else "1"
    body = f"{first}{second}{rng.choice(DIVISIONS)}" + "".join(
        rng.choice(USCC_ALPHABET) for _ in range(9)
    )
    return body + forms.uscc_check_char(body)


def corrupt(rng: random.Random, s: str, alphabet: str) -> str:
    kind = rng.randrange(4)
    i = rng.randrange(len(s))
    if kind == 0:  # substitute one character
        c = rng.choice([a for a in alphabet if a != s[i]])
        return s[:i] + c + s[i + 1 :]
    if kind == 1 and i < len(s) - 1:  # swap neighbours
        return s[:i] + s[i + 1] + s[i] + s[i + 2 :]
    if kind == 2:  # drop one
        return s[:i] + s[i + 1 :]
    return "".join(rng.choice(alphabet) for _ in range(len(s)))  # random garbage


def test_bulk_resident_ids_agree_with_stdnum() -> None:
    rng = random.Random(20261123)
    valid = 0
    for n in range(50_000):
        number = make_ric(rng)
        if n % 2:
            number = corrupt(rng, number, DIGITS + "X")
        else:
            assert forms.is_valid_resident_id(number, TODAY), number
            valid += 1
        check_ric(number)
        if n % 7 == 0:
            check_ric(number.lower())
    assert valid == 25_000


def test_bulk_credit_codes_agree_with_stdnum() -> None:
    rng = random.Random(32100)
    for n in range(60_000):
        code = make_uscc(rng)
        if n % 2:
            code = corrupt(rng, code, USCC_ALPHABET + "IOSVZ")
        else:
            assert forms.is_valid_uscc(code), code
        check_uscc(code)


def test_union_codes_starting_81_are_accepted() -> None:
    rng = random.Random(81)
    for _ in range(2000):
        body = "81" + rng.choice(DIVISIONS) + "".join(rng.choice(USCC_ALPHABET) for _ in range(9))
        code = body + forms.uscc_check_char(body)
        assert forms.validate_uscc(code) == code
        assert uscc.is_valid(code)  # stdnum agrees where it covers the case
    assert forms.is_valid_uscc("81110000MC0000000X") is (
        forms.uscc_check_char("81110000MC0000000") == "X"
    )


# --- hypothesis: structure ---------------------------------------------------------------

births = st.dates(min_value=dt.date(1900, 1, 1), max_value=TODAY)
ric_parts = st.tuples(st.sampled_from(DIVISIONS), births, st.integers(0, 999))
HYP = settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _ric(parts: tuple[str, dt.date, int]) -> str:
    div, born, seq = parts
    first17 = f"{div}{born:%Y%m%d}{seq:03d}"
    return first17 + forms.resident_id_check_char(first17)


@HYP
@given(ric_parts)
def test_generated_ids_are_valid_and_give_birth_date_and_gender(parts) -> None:
    number = _ric(parts)
    assert stdnum_ric(number) in (True, None)
    assert forms.validate_resident_id(number.lower(), TODAY) == number
    assert forms.resident_id_birth_date(number) == parts[1]
    assert forms.resident_id_gender(number) == ("male" if parts[2] % 2 else "female")
    spaced = " ".join([number[:6], number[6:14], number[14:]])
    fullwidth = "".join(chr(ord(c) + 0xFEE0) for c in number)
    assert forms.normalise_resident_id(spaced) == number
    assert forms.normalise_resident_id(fullwidth) == number


@HYP
@given(ric_parts, st.integers(0, 17), st.sampled_from(DIGITS + "X"))
def test_any_single_substitution_is_caught(parts, pos, char) -> None:
    number = _ric(parts)
    changed = number[:pos] + char + number[pos + 1 :]
    if changed != number:
        assert not forms.is_valid_resident_id(changed, TODAY)
        check_ric(changed)


@HYP
@given(ric_parts, st.integers(0, 16))
def test_any_neighbour_swap_is_caught(parts, pos) -> None:
    number = _ric(parts)
    swapped = number[:pos] + number[pos + 1] + number[pos] + number[pos + 2 :]
    if swapped != number:
        assert not forms.is_valid_resident_id(swapped, TODAY)
        check_ric(swapped)


@HYP
@given(st.text(alphabet=DIGITS + "Xx -", min_size=0, max_size=22))
def test_arbitrary_strings_agree_or_are_uncovered(text) -> None:
    check_ric(text.replace(" ", "").replace("-", ""))


@HYP
@given(ric_parts.filter(lambda p: p[1].year >= 1900 and p[1].year < 2000))
def test_legacy_15_digit_ids_are_upgraded(parts) -> None:
    div, born, seq = parts
    old = f"{div}{born:%y%m%d}{seq:03d}"
    new = forms.validate_resident_id(old, TODAY)
    assert new == _ric(parts) and len(new) == 18
    assert stdnum_ric(new) in (True, None)


@HYP
@given(st.text(alphabet=USCC_ALPHABET, min_size=17, max_size=17))
def test_credit_codes_with_their_check_char(body) -> None:
    code = body + forms.uscc_check_char(body)
    check_uscc(code)
    assert forms.is_valid_uscc(code) == body[2:8].isdigit()
    wrong = code[:17] + next(c for c in USCC_ALPHABET if c != code[17])
    assert not forms.is_valid_uscc(wrong)
    check_uscc(wrong)


@HYP
@given(st.text(alphabet=USCC_ALPHABET + "IOSVZ", min_size=16, max_size=19))
def test_arbitrary_credit_codes_agree_or_follow_our_rule(text) -> None:
    check_uscc(text)


def test_error_codes_say_what_is_wrong() -> None:
    good = _ric(("110101", dt.date(1990, 1, 1), 123))
    cases = {
        good[:17]: "id_number.length",
        good[:16] + "A" + good[17]: "id_number.format",
        "99" + good[2:]: "id_number.region",
        good[:10] + "13" + good[12:]: "id_number.birth_date",
        good[:17] + ("0" if good[17] != "0" else "1"): "id_number.checksum",
    }
    for number, code in cases.items():
        try:
            forms.validate_resident_id(number, TODAY)
        except forms.InvalidValue as exc:
            assert exc.code == code, number
        else:
            raise AssertionError(f"{number} accepted")
    future = f"110101{TODAY + dt.timedelta(days=1):%Y%m%d}001"
    future += forms.resident_id_check_char(future)
    try:
        forms.validate_resident_id(future, TODAY)
    except forms.InvalidValue as exc:
        assert exc.code == "id_number.birth_date_future"
    else:
        raise AssertionError("future birth date accepted")


def test_mobile_and_division_codes() -> None:
    assert forms.validate_mobile("+86 138-0013-8000") == "13800138000"
    assert forms.validate_mobile("１３８００１３８０００") == "13800138000"
    for bad in ("12800138000", "1380013800", "138001380001", "23800138000", "1380013800a"):
        assert not forms.is_valid_mobile(bad), bad
    assert forms.validate_division_code("330106") == "330106"
    assert forms.validate_division_code("330106001") == "330106001"
    assert forms.validate_division_code("330106001002") == "330106001002"
    for bad, code in (("3301", "division_code.format"), ("990106", "division_code.region")):
        try:
            forms.validate_division_code(bad)
        except forms.InvalidValue as exc:
            assert exc.code == code
        else:
            raise AssertionError(bad)


@HYP
@given(st.text(alphabet=DIGITS, min_size=17, max_size=17))
def test_check_char_is_the_weighted_sum_of_the_standard(first17) -> None:
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(c) * w for c, w in zip(first17, weights, strict=True))
    assert forms.resident_id_check_char(first17) == "10X98765432"[total % 11]
    total = sum(
        forms.USCC_ALPHABET.index(c) * w
        for c, w in zip(
            first17, (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28), strict=True
        )
    )
    assert forms.uscc_check_char(first17) == forms.USCC_ALPHABET[(31 - total % 31) % 31]
