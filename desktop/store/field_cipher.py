"""The workspace's field cipher: the one place sensitive values are sealed inside the file.

A workspace has a crypto suite (``meta.crypto_suite``: ``intl``, the default of workspaces made
before suites existed, or ``gm``). On ``intl`` the SQLCipher page encryption is all there is and
:data:`PLAIN` changes nothing. On ``gm`` every value of a field a form marks ``sensitive`` (ID
numbers, phones) is additionally SM4-GCM-encrypted in the record JSON (``records.data`` and
``record_versions.data``), and its keyed-index rows in ``record_keys`` hold HMAC-SM3 tokens
instead of the value:

- stored value: ``"sm4:" + base64(nonce ‖ SM4-GCM(json(value)))``, associated data
  ``record uuid ‖ field id`` (a value moved to another record or field does not open);
- ``(form, field, X(value), rec)``: the exact token, for uniqueness, filters and look-ups;
- ``(form, field, P(n, upper(value)[:n]), rec)`` for every ``n`` from :data:`MIN_PREFIX` to the
  value's length: the prefix tokens a clerk's ID-number / phone search looks up (one B-tree
  probe each, as fast as the ``intl`` range scan);
- ``(form, field + "#m", mask(value), rec)``: the masked display, the sort key of that column
  (the Members page sorts ID and phone columns by what it shows).

Tokens are the first 12 bytes of HMAC-SM3 over kind, form, field and text (and the prefix
length), stored as BLOBs. The keys come from one 32-byte *field key*, a workspace data key held
only in the key slots (generation :data:`FIELD_KEY_GEN`): the SM4 key and the index key are
HKDF-SM3 expansions of it. Primitives: ``cryptography`` (SM4, HMAC, HKDF with SM3).

Managers reach the cipher through ``StoreContext.cipher`` (never through the connection).
"""

from __future__ import annotations

import base64
import binascii
import json
import os
from collections.abc import Iterable, Mapping
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from desktop.store import errors
from desktop.store.masking import mask
from sync import crypto_gm, suites

INTL = suites.INTL
GM = suites.GM
SUITES = (INTL, GM)
FIELD_KEY_GEN = 0  # the key slots' generation number of the field key (database keys are 1, 2, ...)
FIELD_KEY_BYTES = 32
MIN_PREFIX = 4  # shorter ID-number / phone prefixes match too many members to be a search
TOKEN_BYTES = 12
MARK = "sm4:"
SORT_SUFFIX = "#m"


def check_suite(suite: str) -> str:
    if suite not in SUITES:
        raise ValueError(f"Unknown crypto suite {suite!r}; choose one of {', '.join(SUITES)}.")
    return suite


def new_field_key() -> bytes:
    return os.urandom(FIELD_KEY_BYTES)


def _text(value: Any) -> str:
    if value is None or isinstance(value, list | dict):
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


class FieldCipher:
    """Seals, opens and indexes sensitive values; :data:`PLAIN` for an ``intl`` workspace."""

    def __init__(self, suite: str = INTL, field_key: bytes | None = None) -> None:
        self.suite = check_suite(suite)
        self._enc: bytes = b""
        self._idx: bytes = b""
        self._base: dict[tuple[str, str, str], crypto_hmac.HMAC] = {}
        if suite == GM:
            if not field_key or len(field_key) != FIELD_KEY_BYTES:
                raise errors.DamagedKeySlots(
                    "This workspace encrypts personal data (gm suite) but its key slot holds no"
                    " field key."
                )
            self._enc = HKDF(
                algorithm=hashes.SM3(), length=16, salt=None, info=b"uniondesk field sm4"
            ).derive(field_key)
            self._idx = HKDF(
                algorithm=hashes.SM3(), length=32, salt=None, info=b"uniondesk field index"
            ).derive(field_key)

    @property
    def sealing(self) -> bool:
        return self.suite == GM

    def check_value(self) -> str:
        """A value stored in ``meta`` that tells whether a field key is this workspace's."""
        return self._token("check", "", "", "uniondesk").hex() if self.sealing else ""

    # --- values -------------------------------------------------------------------------------

    def seal_value(self, record_uuid: str, field_id: str, value: Any) -> Any:
        if not self.sealing or value is None or value == "":
            return value
        nonce = os.urandom(crypto_gm.GCM_NONCE_BYTES)
        body = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()
        ct = crypto_gm.sm4_gcm_encrypt(self._enc, nonce, body, _ad(record_uuid, field_id))
        return MARK + base64.b64encode(nonce + ct).decode("ascii")

    def open_value(self, record_uuid: str, field_id: str, stored: Any) -> Any:
        if not self.sealing or not isinstance(stored, str) or not stored.startswith(MARK):
            return stored
        try:
            raw = base64.b64decode(stored[len(MARK) :], validate=True)
            nonce, ct = raw[: crypto_gm.GCM_NONCE_BYTES], raw[crypto_gm.GCM_NONCE_BYTES :]
            body = crypto_gm.sm4_gcm_decrypt(self._enc, nonce, ct, _ad(record_uuid, field_id))
            return json.loads(body)
        except (binascii.Error, ValueError) as exc:  # GmCryptoError is a ValueError
            raise errors.TamperedDatabase(
                f"An encrypted field ({field_id}) of record {record_uuid} does not open."
            ) from exc

    def seal_data(
        self, record_uuid: str, sensitive: Iterable[str], data: Mapping[str, Any]
    ) -> dict[str, Any]:
        """``data`` as stored: the sensitive fields sealed (unchanged on ``intl``)."""
        out = dict(data)
        if self.sealing:
            for f in sensitive:
                if f in out:
                    out[f] = self.seal_value(record_uuid, f, out[f])
        return out

    def open_data(self, record_uuid: str, data: dict[str, Any]) -> dict[str, Any]:
        """Stored ``data`` with every sealed value opened (``data`` itself on ``intl``)."""
        if not self.sealing:
            return data
        for f, v in data.items():
            if isinstance(v, str) and v.startswith(MARK):
                data[f] = self.open_value(record_uuid, f, v)
        return data

    # --- keyed index --------------------------------------------------------------------------

    def _token(self, kind: str, form_id: str, field_id: str, text: str) -> bytes:
        key = (kind, form_id, field_id)
        base = self._base.get(key)
        if base is None:
            base = crypto_hmac.HMAC(self._idx, hashes.SM3())
            base.update("\x1f".join((kind, form_id, field_id, "")).encode())
            self._base[key] = base
        h = base.copy()
        h.update(text.encode())
        return h.finalize()[:TOKEN_BYTES]

    def is_hidden(self, spec_sensitive: Iterable[str], field_id: str) -> bool:
        return self.sealing and field_id in spec_sensitive

    def exact_token(self, form_id: str, field_id: str, value: Any) -> bytes:
        return self._token("x", form_id, field_id, _text(value))

    def prefix_token(self, form_id: str, field_id: str, prefix: str) -> bytes:
        return self._token(f"p{len(prefix)}", form_id, field_id, prefix.upper())

    def sensitive_key_rows(
        self, rec: int, form_id: str, field_id: str, value: Any
    ) -> list[tuple[Any, ...]]:
        """The ``record_keys`` rows of one sealed field (tokens, and the masked sort key)."""
        text = _text(value)
        rows: list[tuple[Any, ...]] = [(form_id, field_id + SORT_SUFFIX, _text(mask(text)), rec)]
        if not text:
            return rows
        rows.append((form_id, field_id, self.exact_token(form_id, field_id, text), rec))
        up = text.upper()
        rows.extend(
            (form_id, field_id, self.prefix_token(form_id, field_id, up[:n]), rec)
            for n in range(MIN_PREFIX, len(up) + 1)
        )
        return rows


def _ad(record_uuid: str, field_id: str) -> bytes:
    return f"uniondesk-field-v1\x1f{record_uuid}\x1f{field_id}".encode()


PLAIN = FieldCipher(INTL)
