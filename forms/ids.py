"""Identifier helpers: resident ID (GB 11643), credit code (GB 32100), mobile, division code.

Every ``normalise_*`` function tolerates what clerks and spreadsheets produce (full-width
characters, stray spaces, a lowercase ``x``); every ``validate_*`` function returns the
normalised value or raises :class:`forms.errors.InvalidValue` with an error code.
"""

from __future__ import annotations

import datetime as _dt
from functools import lru_cache
from operator import mul

from forms.errors import InvalidValue

# One table: full-width ASCII (U+FF01..U+FF5E) -> ASCII; spaces and hyphens dropped.
_CLEAN: dict[int, int | None] = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_CLEAN.update({ord(c): None for c in " \t\r\n\u00a0\u3000-\uff0d"})

#: Province-level prefixes of GB/T 2260 (plus 83 used by Taiwan residence permits).
PROVINCE_CODES = frozenset(
    [
        "11",
        "12",
        "13",
        "14",
        "15",
        "21",
        "22",
        "23",
        "31",
        "32",
        "33",
        "34",
        "35",
        "36",
        "37",
        "41",
        "42",
        "43",
        "44",
        "45",
        "46",
        "50",
        "51",
        "52",
        "53",
        "54",
        "61",
        "62",
        "63",
        "64",
        "65",
        "71",
        "81",
        "82",
        "83",
    ]
)

_RIC_CHECK = "10X98765432"
_RIC_MIN_BIRTH = _dt.date(1900, 1, 1)

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_VALUE = {c: i for i, c in enumerate(USCC_ALPHABET)}
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def clean_code(value: object) -> str:
    """Full-width to ASCII, drop spaces and hyphens, upper-case."""
    s = value if isinstance(value, str) else str(value)
    if s.isascii() and s.isalnum():  # the common case: nothing to clean
        return s.upper()
    return s.translate(_CLEAN).upper()


def _isdigits(s: str) -> bool:
    return s.isascii() and s.isdigit()


# --- resident ID (GB 11643-1999) ---------------------------------------------------------


def resident_id_check_char(first17: str) -> str:
    """The check character for the first 17 digits of a resident ID.

    The weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2 are 2**(17-i) mod 11, and 13 = 2 (mod 11),
    so S = sum(digit * weight) = 2 * int(first17, base 13) (mod 11): one C-level conversion
    instead of 17 multiplications (tests check it against the weighted sum of the standard).
    """
    return _RIC_CHECK[2 * int(first17, 13) % 11]


def upgrade_resident_id(id15: str) -> str:
    """Turn a 15-digit legacy ID (birth year ``YY``, no check digit) into the 18-digit form."""
    first17 = id15[:6] + "19" + id15[6:]
    return first17 + resident_id_check_char(first17)


def normalise_resident_id(value: object) -> str:
    """Cleaned resident ID; a 15-digit all-digit legacy number is upgraded to 18 characters."""
    s = clean_code(value)
    if len(s) == 15 and _isdigits(s):
        return upgrade_resident_id(s)
    return s


def _birth_date(s: str) -> _dt.date | None:
    try:
        return _dt.date(int(s[6:10]), int(s[10:12]), int(s[12:14]))
    except ValueError:
        return None


@lru_cache(maxsize=4096)
def _ric(value: str) -> tuple[str, _dt.date | None, str | None, tuple[tuple[str, object], ...]]:
    """(normalised, birth date, error code or None, error params) — all but the future check."""
    s = normalise_resident_id(value)
    if len(s) != 18:
        return s, None, "id_number.length", (("length", len(s)),)
    if not _isdigits(s[:17]) or s[17] not in "0123456789X":
        return s, None, "id_number.format", ()
    if s[:2] not in PROVINCE_CODES:
        return s, None, "id_number.region", (("region", s[:6]),)
    born = _birth_date(s)
    if born is None or born < _RIC_MIN_BIRTH:
        return s, None, "id_number.birth_date", (("date", s[6:14]),)
    if s[17] != resident_id_check_char(s[:17]):
        return s, born, "id_number.checksum", ()
    return s, born, None, ()


def validate_resident_id(value: object, today: _dt.date | None = None) -> str:
    """Normalised 18-character resident ID, or :class:`InvalidValue`.

    Codes: ``id_number.length``, ``id_number.format``, ``id_number.region``,
    ``id_number.birth_date`` (not a real date or before 1900), ``id_number.birth_date_future``,
    ``id_number.checksum``.
    """
    s, born, code, params = _ric(value if isinstance(value, str) else str(value))
    if code is not None:
        raise InvalidValue(code, **dict(params))
    if born > (today or _dt.date.today()):  # type: ignore[operator]
        raise InvalidValue("id_number.birth_date_future", date=born.isoformat())  # type: ignore[union-attr]
    return s


def is_valid_resident_id(value: object, today: _dt.date | None = None) -> bool:
    """True when :func:`validate_resident_id` accepts the value."""
    try:
        validate_resident_id(value, today)
    except InvalidValue:
        return False
    return True


def resident_id_birth_date(value: object) -> _dt.date | None:
    """Birth date encoded in a valid resident ID (15 or 18 digits), else None."""
    if value is None:
        return None
    s, born, code, _ = _ric(value if isinstance(value, str) else str(value))
    return born if code is None and born <= _dt.date.today() else None  # type: ignore[operator]


def resident_id_gender(value: object) -> str | None:
    """``"male"`` (odd sequence digit) or ``"female"`` (even) from a valid resident ID, else None."""
    if value is None:
        return None
    s, born, code, _ = _ric(value if isinstance(value, str) else str(value))
    if code is not None:
        return None
    return "male" if int(s[16]) % 2 else "female"


# --- unified social credit code (GB 32100-2015) -----------------------------------------


def uscc_check_char(first17: str) -> str:
    """The check character for the first 17 characters of a credit code."""
    total = sum(map(mul, map(_USCC_VALUE.__getitem__, first17), _USCC_WEIGHTS))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def normalise_uscc(value: object) -> str:
    """Cleaned credit code (full-width to ASCII, no spaces, upper-case)."""
    return clean_code(value)


def validate_uscc(value: object) -> str:
    """Normalised 18-character credit code, or :class:`InvalidValue`.

    The first character is not restricted (union codes start with ``8``/``81``).
    Codes: ``uscc.length``, ``uscc.format`` (a character outside the alphabet, or positions
    3-8 not a division code), ``uscc.checksum``.
    """
    s = normalise_uscc(value)
    if len(s) != 18:
        raise InvalidValue("uscc.length", length=len(s))
    if any(c not in _USCC_VALUE for c in s) or not _isdigits(s[2:8]):
        raise InvalidValue("uscc.format")
    expected = uscc_check_char(s[:17])
    if s[17] != expected:
        raise InvalidValue("uscc.checksum")
    return s


def is_valid_uscc(value: object) -> bool:
    """True when :func:`validate_uscc` accepts the value."""
    try:
        validate_uscc(value)
    except InvalidValue:
        return False
    return True


# --- mobile phone and division code -------------------------------------------------------


def normalise_mobile(value: object) -> str:
    """Cleaned mobile number: no spaces/hyphens, a ``+86``/``0086``/``86`` prefix removed."""
    s = clean_code(value)
    for prefix in ("+86", "0086"):
        if s.startswith(prefix):
            s = s[len(prefix) :]
    if len(s) == 13 and s.startswith("86"):
        s = s[2:]
    return s


def validate_mobile(value: object) -> str:
    """Normalised mainland mobile number (11 digits, ``1[3-9]...``) or ``mobile.format``."""
    s = normalise_mobile(value)
    if len(s) != 11 or not _isdigits(s) or s[0] != "1" or s[1] not in "3456789":
        raise InvalidValue("mobile.format")
    return s


def is_valid_mobile(value: object) -> bool:
    """True when :func:`validate_mobile` accepts the value."""
    try:
        validate_mobile(value)
    except InvalidValue:
        return False
    return True


def validate_division_code(value: object) -> str:
    """A GB/T 2260-style division code: 6 digits (county), 9 (township) or 12 (village).

    Codes: ``division_code.format``, ``division_code.region`` (unknown province prefix).
    """
    s = clean_code(value)
    if len(s) not in (6, 9, 12) or not _isdigits(s):
        raise InvalidValue("division_code.format", length=len(s))
    if s[:2] not in PROVINCE_CODES:
        raise InvalidValue("division_code.region", region=s[:2])
    return s
