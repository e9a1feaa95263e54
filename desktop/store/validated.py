"""Rows the store itself validated, sealed so ``save_many`` can take them without validating again.

The import preview validates every row; the commit used to validate each again inside
``save_many``. Instead the preview asks the store for a validator (``ws.records.validator``):
for each row that passes it returns the forms result plus a :class:`Validated` — the canonical
JSON text of the validated values, the form definition hash, the day it was validated and an
keyed BLAKE2b tag (a MAC) under a random key that lives only in this open workspace's memory.

``save_many`` accepts such a row as already valid only when the tag checks out under its own key
*and* the form hash is the one it stores with *and* the day is today (rules like "not in the
future" depend on the date). Anything else — a made-up or edited ``Validated``, one from another
workspace or an earlier session, one sealed against another form version — is validated again
from its values like any plain row, so this path can never write unvalidated data. The stored
data is the sealed text itself: the values are parsed from it, so what is written is exactly
what was validated, canonicalised once.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import hmac
import json
import secrets
from collections.abc import Mapping
from typing import Any, NamedTuple

from desktop.store import audit


class Validated(NamedTuple):
    """One row validated by the store: canonical values text, what it was checked against, a tag.

    A tuple, so an import plan's compressed chunks of them are cheap to build and read."""

    form_id: str
    form_hash: str
    day: str  # ISO date of the validation
    text: str  # canonical JSON of the validated values
    tag: bytes

    def values(self) -> dict[str, Any]:
        """The validated values (a fresh dict each call)."""
        values: dict[str, Any] = json.loads(self.text)
        return values


TAG_BYTES = 16  # a 128-bit tag


class Sealer:
    """Seals and checks :class:`Validated` rows under a per-workspace-session random key."""

    def __init__(self) -> None:
        self._key = secrets.token_bytes(32)

    def _tag(self, form_id: str, form_hash: str, day: str, text: str) -> bytes:
        msg = "\x1f".join((form_id, form_hash, day, text)).encode("utf-8")
        return hashlib.blake2b(msg, key=self._key, digest_size=TAG_BYTES).digest()

    def seal(self, form: Any, values: Mapping[str, Any], day: str) -> Validated:
        """Seal ``values`` that ``form`` accepted on ``day`` (ISO date)."""
        text = audit.canonical_text(values if isinstance(values, dict) else dict(values))
        return Validated(form.id, form.hash, day, text, self._tag(form.id, form.hash, day, text))

    def accepted(self, form: Any, row: Validated, today: str | None = None) -> bool:
        """True when ``row`` was sealed by this sealer, against ``form``, today (``today``: the
        ISO date, when the caller checks many rows at once)."""
        if row.form_id != form.id or row.form_hash != form.hash:
            return False
        if row.day != (today or _dt.date.today().isoformat()):
            return False
        expected = self._tag(row.form_id, row.form_hash, row.day, row.text)
        return hmac.compare_digest(expected, row.tag)
