"""Crypto suites of the sync protocol: ``intl`` (Ed25519, HPKE, SHA-256) and ``gm`` (SM2, SM3, SM4).

A suite is named in every signed header as ``"suite"``; a header without one is ``intl``, so every
document written before suites existed keeps its bytes and its meaning. Which suite a key belongs
to follows from its raw size (Ed25519 / X25519 public keys are 32 bytes, SM2 public keys 64), so
the crypto layer dispatches on the key and call sites keep their shape.

This module holds what both ``sync.protocol`` (hashes of documents) and ``sync.crypto`` (keys)
need: the suite names, the suite's hash, and the SM2 private-key type. No I/O.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sync import crypto_gm

INTL = "intl"
GM = "gm"
SUITES: tuple[str, ...] = (INTL, GM)
SM2_PUBLIC_BYTES = 64
SM2_PRIVATE_BYTES = 32


class SuiteError(ValueError):
    """An unknown suite name, or a key of the wrong suite."""


def check_suite(suite: Any) -> str:
    if suite not in SUITES:
        raise SuiteError(f"unknown crypto suite {suite!r}; known: {', '.join(SUITES)}")
    return str(suite)


def suite_of_doc(doc: Mapping[str, Any]) -> str:
    """The suite a signed document names (``intl`` when it names none)."""
    return check_suite(doc.get("suite", INTL))


def hash_hex(suite: str, data: bytes) -> str:
    """The suite's document hash in lowercase hex: SHA-256 (intl) or SM3 (gm), both 64 hex."""
    if suite == GM:
        return crypto_gm.sm3_hex(data)
    return hashlib.sha256(data).hexdigest()


def suite_of_public(raw: bytes) -> str:
    """Suite of a raw public key: 64 bytes is SM2 (gm), anything else intl (checked later)."""
    return GM if len(raw) == SM2_PUBLIC_BYTES else INTL


@dataclass(frozen=True)
class Sm2PrivateKey:
    """An SM2 key pair (gm suite) for signing or for opening sealed batches.

    ``to_bytes`` is ``d || x || y`` (96 bytes): what a device keeps in its encrypted workspace
    where an Ed25519 device keeps its 32-byte seed, so the two are told apart by size.
    """

    private: bytes
    public: bytes

    @classmethod
    def generate(cls) -> Sm2PrivateKey:
        private, public = crypto_gm.sm2_new_key()
        return cls(private, public)

    @classmethod
    def from_bytes(cls, raw: bytes) -> Sm2PrivateKey:
        if len(raw) != SM2_PRIVATE_BYTES + SM2_PUBLIC_BYTES:
            raise SuiteError("an SM2 key pair is 96 bytes (d || x || y)")
        key = cls(raw[:SM2_PRIVATE_BYTES], raw[SM2_PRIVATE_BYTES:])
        probe = b"uniondesk-sm2-key-check"
        if not crypto_gm.sm2_verify(key.public, probe, key.sign(probe)):
            raise SuiteError("the SM2 private and public key do not belong together")
        return key

    def to_bytes(self) -> bytes:
        return self.private + self.public

    def sign(self, data: bytes) -> bytes:
        """SM2 signature with the GM/T 0009 default signer ID."""
        return crypto_gm.sm2_sign(self.private, self.public, data)

    def __repr__(self) -> str:  # never print the private scalar
        return f"Sm2PrivateKey(public={self.public.hex()[:16]}…)"
