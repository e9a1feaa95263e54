"""Masking of sensitive values (ID numbers, phones) for display, on the desktop and the servers:
330106xxxxxxxx1234 → 330***********1234 (first 3 and last 4 kept)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

MASK_CHAR = "*"


def mask(value: Any) -> Any:
    """The displayable form of a sensitive value: first 3 and last 4 characters kept when long,
    only the last 2 when short. Non-strings (None, numbers) are returned masked as text too."""
    if value is None or value == "":
        return value
    text = str(value)
    n = len(text)
    if n >= 11:
        return text[:3] + MASK_CHAR * (n - 7) + text[-4:]
    if n >= 4:
        return MASK_CHAR * (n - 2) + text[-2:]
    return MASK_CHAR * n


def is_masked_form_of(candidate: Any, stored: Any) -> bool:
    """True when ``candidate`` is exactly what :func:`mask` shows for ``stored``."""
    return (
        isinstance(candidate, str)
        and MASK_CHAR in candidate
        and stored not in (None, "")
        and mask(stored) == candidate
    )


def mask_data(data: Mapping[str, Any], sensitive: Iterable[str]) -> dict[str, Any]:
    out = dict(data)
    for f in sensitive:
        if f in out:
            out[f] = mask(out[f])
    return out
