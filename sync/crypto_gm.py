"""The `gm` suite's primitives (国密): SM2 signatures and sealing, SM3 hashes, SM4-GCM, HMAC-SM3.

This module only holds primitives with the shapes the protocol needs; which suite a county
uses and how headers name it is the protocol's business (issue 16). Where each comes from:

- SM3 (GB/T 32905) and SM4 (GB/T 32907) in GCM mode, and HMAC-SM3: the ``cryptography``
  package (OpenSSL), like every other symmetric primitive in UnionDesk.
- SM2 (GB/T 32918): ``gmssl-pyx``, a CPython extension that links GmSSL, the reference C
  implementation of the Chinese standards (docs/CRYPTO.md says why this one).

Keys travel as raw bytes: an SM2 private key is the 32-byte scalar d, a public key the 64-byte
point x || y (uncompressed, without the 04 prefix). Signatures are DER ``SEQUENCE { r, s }``
over SM3(Z || M) with Z computed from the GM/T 0009 default signer ID ``1234567812345678``.

Sealing bytes to a recipient (``sm2_seal`` / ``sm2_open``) is a KEM/DEM construction:

    dek    = 16 random bytes                                  (SM4 key)
    c1     = SM2-Encrypt(recipient_public, dek)               GB/T 32918.4: an ephemeral SM2 key
                                                              agreement, SM3 KDF and SM3 check
                                                              value, DER C1C3C2
    nonce  = 12 random bytes
    body   = SM4-GCM(dek, nonce, plaintext, aad = A)          128-bit tag
    A      = "uniondesk-gm-seal-v1" || u32(len info) || info || c1
    output = u16(len c1) || c1 || nonce || body

so ``info`` (the batch id, device and sequence number, as for HPKE in the ``intl`` suite) and the
encapsulated key are both authenticated by the DEM: a ciphertext moved to another batch, or a
c1 swapped for another, fails to open.
"""

from __future__ import annotations

import functools
import hmac as _hmac
import os
import struct

import gmssl_pyx
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

DEFAULT_SIGNER_ID = b"1234567812345678"  # GM/T 0009-2012, 10.3
SM4_KEY_BYTES = 16
GCM_NONCE_BYTES = 12
GCM_TAG_BYTES = 16
_SEAL_LABEL = b"uniondesk-gm-seal-v1"


class GmCryptoError(ValueError):
    """A gm primitive refused its input: a bad key, signature or ciphertext."""


# -- SM3 ------------------------------------------------------------------------------------


def sm3(data: bytes) -> bytes:
    """SM3 digest (32 bytes)."""
    h = hashes.Hash(hashes.SM3())
    h.update(data)
    return h.finalize()


def sm3_hex(data: bytes) -> str:
    return sm3(data).hex()


def hmac_sm3(key: bytes, data: bytes) -> bytes:
    """HMAC-SM3 (RFC 2104 over SM3): keyed blind indexes and MACs."""
    mac = crypto_hmac.HMAC(key, hashes.SM3())
    mac.update(data)
    return mac.finalize()


def hmac_sm3_equal(key: bytes, data: bytes, tag: bytes) -> bool:
    return _hmac.compare_digest(hmac_sm3(key, data), tag)


# -- SM4-GCM --------------------------------------------------------------------------------


def new_sm4_key() -> bytes:
    return os.urandom(SM4_KEY_BYTES)


def sm4_gcm_encrypt(key: bytes, nonce: bytes, plaintext: bytes, aad: bytes = b"") -> bytes:
    """SM4-GCM: ciphertext || 16-byte tag. The nonce must never repeat under one key."""
    if len(key) != SM4_KEY_BYTES or len(nonce) != GCM_NONCE_BYTES:
        raise GmCryptoError("SM4-GCM needs a 16-byte key and a 12-byte nonce")
    enc = Cipher(algorithms.SM4(key), modes.GCM(nonce)).encryptor()
    enc.authenticate_additional_data(aad)
    body = enc.update(plaintext) + enc.finalize()
    return body + enc.tag


def sm4_gcm_decrypt(key: bytes, nonce: bytes, data: bytes, aad: bytes = b"") -> bytes:
    """Open what ``sm4_gcm_encrypt`` made; GmCryptoError when anything was changed."""
    if len(key) != SM4_KEY_BYTES or len(nonce) != GCM_NONCE_BYTES:
        raise GmCryptoError("SM4-GCM needs a 16-byte key and a 12-byte nonce")
    if len(data) < GCM_TAG_BYTES:
        raise GmCryptoError("SM4-GCM ciphertext shorter than its tag")
    body, tag = data[:-GCM_TAG_BYTES], data[-GCM_TAG_BYTES:]
    dec = Cipher(algorithms.SM4(key), modes.GCM(nonce, tag)).decryptor()
    dec.authenticate_additional_data(aad)
    try:
        return dec.update(body) + dec.finalize()
    except InvalidTag as exc:
        raise GmCryptoError("SM4-GCM authentication failed") from exc


# -- SM2 ------------------------------------------------------------------------------------


def sm2_new_key() -> tuple[bytes, bytes]:
    """A fresh SM2 key pair: (private 32 bytes, public 64 bytes)."""
    public, private = gmssl_pyx.sm2_key_generate()
    return bytes(private), bytes(public)


def _check_public(public: bytes) -> bytes:
    if len(public) == 65 and public[0] == 4:
        public = public[1:]
    if len(public) != 64:
        raise GmCryptoError("an SM2 public key is 64 bytes (x || y)")
    return public


# GB/T 32918.5 recommended curve parameters that enter Z (GB/T 32918.2, 5.5).
_SM2_A = bytes.fromhex("FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFC")
_SM2_B = bytes.fromhex("28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93")
_SM2_G = bytes.fromhex(
    "32C4AE2C1F1981195F9904466A39C9948FE30BBFF2660BE1715A4589334C74C7"
    "BC3736A2F4F6779C59BDCEE36B692153D0A9877CC62A474002DF32E52139F0A0"
)


@functools.lru_cache(maxsize=256)
def sm2_z(public: bytes, signer_id: bytes = DEFAULT_SIGNER_ID) -> bytes:
    """Z = SM3(ENTL || ID || a || b || xG || yG || xA || yA), the signer's identity hash.

    Computed once per key (GmSSL's message-level sign recomputes it, and checks the key, on
    every call: ten times slower); the signature is then over SM3(Z || M).
    """
    entl = struct.pack(">H", len(signer_id) * 8)
    return sm3(entl + signer_id + _SM2_A + _SM2_B + _SM2_G + _check_public(public))


def sm2_digest(public: bytes, message: bytes) -> bytes:
    """e = SM3(Z || M): what an SM2 signature of ``message`` by ``public`` signs."""
    return sm3(sm2_z(public) + message)


def sm2_sign(private: bytes, public: bytes, message: bytes) -> bytes:
    """SM2 signature (DER r, s) of ``message`` with the default signer ID."""
    if len(private) != 32:
        raise GmCryptoError("an SM2 private key is 32 bytes")
    try:
        return bytes(gmssl_pyx.sm2_sign_sm3_digest(private, sm2_digest(public, message)))
    except gmssl_pyx.GmsslInnerError as exc:
        raise GmCryptoError(f"SM2 signing failed: {exc}") from exc


def sm2_verify(public: bytes, message: bytes, signature: bytes) -> bool:
    """True when ``signature`` is a valid SM2 signature of ``message`` by ``public``."""
    try:
        digest = sm2_digest(public, message)
        return bool(gmssl_pyx.sm2_verify_sm3_digest(_check_public(public), digest, signature))
    except (gmssl_pyx.GmsslInnerError, GmCryptoError):
        return False


def _seal_aad(info: bytes, c1: bytes) -> bytes:
    return _SEAL_LABEL + struct.pack(">I", len(info)) + info + c1


def sm2_seal(recipient_public: bytes, plaintext: bytes, info: bytes) -> bytes:
    """Encrypt ``plaintext`` to ``recipient_public``, bound to ``info`` (module docstring)."""
    dek = new_sm4_key()
    try:
        c1 = bytes(gmssl_pyx.sm2_encrypt(_check_public(recipient_public), dek))
    except gmssl_pyx.GmsslInnerError as exc:
        raise GmCryptoError(f"SM2 encryption failed: {exc}") from exc
    nonce = os.urandom(GCM_NONCE_BYTES)
    body = sm4_gcm_encrypt(dek, nonce, plaintext, _seal_aad(info, c1))
    return struct.pack(">H", len(c1)) + c1 + nonce + body


def sm2_open(recipient_private: bytes, sealed: bytes, info: bytes) -> bytes:
    """Open what ``sm2_seal`` made for this key and ``info``; GmCryptoError otherwise."""
    if len(sealed) < 2:
        raise GmCryptoError("sealed data too short")
    (c1_len,) = struct.unpack(">H", sealed[:2])
    c1 = sealed[2 : 2 + c1_len]
    rest = sealed[2 + c1_len :]
    if len(c1) != c1_len or len(rest) < GCM_NONCE_BYTES + GCM_TAG_BYTES:
        raise GmCryptoError("sealed data truncated")
    try:
        dek = bytes(gmssl_pyx.sm2_decrypt(recipient_private, c1))
    except gmssl_pyx.GmsslInnerError as exc:
        raise GmCryptoError("SM2 decryption failed: not sealed to this key") from exc
    if len(dek) != SM4_KEY_BYTES:
        raise GmCryptoError("SM2 decryption gave a key of the wrong size")
    nonce, body = rest[:GCM_NONCE_BYTES], rest[GCM_NONCE_BYTES:]
    return sm4_gcm_decrypt(dek, nonce, body, _seal_aad(info, c1))
