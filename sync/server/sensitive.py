"""Field encryption on the server: AEAD values and documents, keyed blind indexes; two suites,
``intl`` (AES-256-GCM, HMAC-SHA256) and ``gm`` (SM4-GCM, HMAC-SM3, 国密).

Nothing here knows forms or tables (``domain/personal.py`` decides what is sealed, with which
associated data). Primitives come from ``cryptography``; this module only frames them:

- a **value token** replaces one sensitive value inside a stored JSON document:
  ``{"$enc": "KID.BASE64URL(nonce ‖ ciphertext ‖ tag)"}``; the plaintext is ``s`` + UTF-8 for a
  string, ``j`` + canonical JSON for anything else, so the value comes back with its type;
- a **sealed document** replaces a whole stored blob (an inbox message, a receipt, an offer):
  ``UDENC1.KID.BASE64URL(nonce ‖ ciphertext ‖ tag)`` (ASCII, fits Text and binary columns);
- a **blind index** is HMAC (SHA-256 or SM3) under the index key of ``field ‖ 0x00 ‖ value``,
  truncated to 128 bits: equal values of one field give equal digests, and without the key a
  digest says nothing about its value.

The key id in a token names its data key, and each data key has its suite, so values sealed
under ``intl`` keep opening after a server moved to ``gm``.

The associated data names where a ciphertext belongs (record, version, field; or the kind and row
of a document), so a ciphertext copied to another place fails to open (:class:`SealError`).
"""

from __future__ import annotations

import base64
import hmac
import json
import os
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from sync import crypto_gm

TOKEN_KEY = "$enc"
DOC_PREFIX = "UDENC1."
_NONCE = 12
INDEX_HEX = 32  # HMAC-SHA256 truncated to 128 bits (RFC 2104 section 5): equality lookups only


class SealError(Exception):
    """A sealed value or document cannot be opened: wrong key, unknown key id, or moved."""


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def is_token(value: Any) -> bool:
    """True for a value token (``{"$enc": "…"}``)."""
    return type(value) is dict and len(value) == 1 and isinstance(value.get(TOKEN_KEY), str)


def is_sealed_doc(blob: str | bytes) -> bool:
    """True when ``blob`` is a sealed document (not a plaintext one from before sealing)."""
    prefix = DOC_PREFIX.encode("ascii") if isinstance(blob, bytes) else DOC_PREFIX
    return blob.startswith(prefix)  # type: ignore[arg-type]


def key_id_of(sealed: str | bytes | Mapping[str, Any]) -> str:
    """The data-key id a token or sealed document was made with."""
    if isinstance(sealed, Mapping):
        text = str(sealed[TOKEN_KEY])
    else:
        text = sealed.decode("ascii") if isinstance(sealed, bytes) else sealed
        text = text[len(DOC_PREFIX) :]
    return text.split(".", 1)[0]


class Aead(Protocol):
    def encrypt(self, nonce: bytes, data: bytes, associated_data: bytes | None) -> bytes: ...

    def decrypt(self, nonce: bytes, data: bytes, associated_data: bytes | None) -> bytes: ...


class Sm4Gcm:
    """SM4-GCM (GB/T 32907, GCM as in RFC 8998) with AESGCM's interface (``sync/crypto_gm``)."""

    def __init__(self, key: bytes) -> None:
        self._key = key

    def encrypt(self, nonce: bytes, data: bytes, associated_data: bytes | None) -> bytes:
        return crypto_gm.sm4_gcm_encrypt(self._key, nonce, data, associated_data or b"")

    def decrypt(self, nonce: bytes, data: bytes, associated_data: bytes | None) -> bytes:
        try:
            return crypto_gm.sm4_gcm_decrypt(self._key, nonce, data, associated_data or b"")
        except crypto_gm.GmCryptoError as exc:
            raise InvalidTag() from exc


# suite -> (AEAD of a data key, data-key length, keyed index digest)
SUITES: dict[str, tuple[Callable[[bytes], Aead], int, Callable[[bytes, bytes], bytes]]] = {
    "intl": (AESGCM, 32, lambda key, msg: hmac.digest(key, msg, "sha256")),
    "gm": (Sm4Gcm, crypto_gm.SM4_KEY_BYTES, crypto_gm.hmac_sm3),
}


def new_data_key(suite: str) -> bytes:
    return os.urandom(SUITES[suite][1])


class FieldCipher:
    """AEAD under the server's data keys (new values use ``current``) and its blind index key.

    ``suite`` is the index's suite and every key's unless ``key_suites`` names another one for
    it: ``intl`` = AES-256-GCM and HMAC-SHA256, ``gm`` = SM4-GCM and HMAC-SM3 (国密)."""

    def __init__(
        self,
        data_keys: Mapping[str, bytes],
        current: str,
        index_key: bytes,
        suite: str = "intl",
        key_suites: Mapping[str, str] | None = None,
    ) -> None:
        if current not in data_keys:
            raise ValueError(f"current data key {current!r} is not among the data keys")
        if suite not in SUITES:
            raise ValueError(f"unknown crypto suite {suite!r}")
        suites = {kid: (key_suites or {}).get(kid, suite) for kid in data_keys}
        for kid, key in data_keys.items():
            if "." in kid or len(key) != SUITES[suites[kid]][1]:
                raise ValueError(f"data key {kid!r} must be a dot-free id with a {suites[kid]} key")
        if len(index_key) != 32:
            raise ValueError("the index key must be 32 bytes")
        self._aead = {kid: SUITES[suites[kid]][0](key) for kid, key in data_keys.items()}
        self.current = current
        self.suite = suite
        self._index_key = index_key
        self._index_digest = SUITES[suite][2]

    @property
    def key_ids(self) -> tuple[str, ...]:
        return tuple(self._aead)

    # ---------------------------------------------------------------- raw frames

    def _seal(self, plain: bytes, aad: str) -> str:
        nonce = os.urandom(_NONCE)
        ct = self._aead[self.current].encrypt(nonce, plain, aad.encode("utf-8"))
        return f"{self.current}.{_b64(nonce + ct)}"

    def _open(self, framed: str, aad: str) -> bytes:
        kid, _, body = framed.partition(".")
        aead = self._aead.get(kid)
        if aead is None:
            raise SealError(f"sealed with data key {kid!r}, which this server does not hold")
        try:
            raw = _unb64(body)
            return aead.decrypt(raw[:_NONCE], raw[_NONCE:], aad.encode("utf-8"))
        except (InvalidTag, ValueError) as exc:
            raise SealError(f"a sealed value does not open for {aad.split('|', 1)[0]}") from exc

    # ---------------------------------------------------------------- values

    def seal_value(self, value: Any, aad: str) -> dict[str, str]:
        """A token for ``value`` (any JSON value) bound to ``aad``."""
        if isinstance(value, str):
            plain = b"s" + value.encode("utf-8")
        else:
            plain = b"j" + json.dumps(value, ensure_ascii=False, sort_keys=True).encode("utf-8")
        return {TOKEN_KEY: self._seal(plain, aad)}

    def open_value(self, token: Mapping[str, Any], aad: str) -> Any:
        plain = self._open(str(token[TOKEN_KEY]), aad)
        if plain[:1] == b"s":
            return plain[1:].decode("utf-8")
        return json.loads(plain[1:].decode("utf-8"))

    # ---------------------------------------------------------------- documents

    def seal_doc(self, plain: bytes, aad: str) -> str:
        return DOC_PREFIX + self._seal(plain, aad)

    def open_doc(self, sealed: str | bytes, aad: str) -> bytes:
        text = sealed.decode("ascii") if isinstance(sealed, bytes) else sealed
        if not text.startswith(DOC_PREFIX):
            raise SealError(f"a stored document for {aad.split('|', 1)[0]} is not sealed")
        return self._open(text[len(DOC_PREFIX) :], aad)

    # ---------------------------------------------------------------- blind index

    def blind_index(self, field: str, value: Any) -> str:
        """The keyed digest of ``value`` of ``field`` (hex; equality lookups only)."""
        text = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
        message = field.encode("utf-8") + b"\x00" + text.strip().encode("utf-8")
        return self._index_digest(self._index_key, message).hex()[:INDEX_HEX]
