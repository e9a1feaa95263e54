"""The gm suite's primitives against the published test vectors, and SM2 cross-checked with a
second, independent implementation (gmalg, pure Python; test dependency only)."""

from __future__ import annotations

import gmalg
import gmssl_pyx
import pytest
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

from sync import crypto_gm as gm

# GM/T 0003.5-2012 A.2 / GB/T 32918.2 example on the recommended curve: key, message, k, (r, s).
SM2_D = bytes.fromhex("3945208F7B2144B13F36E38AC6D39F95889393692860B51A42FB81EF4DF7C5B8")
SM2_PUB = bytes.fromhex(
    "09F9DF311E5421A150DD7D161E4BC5C672179FAD1833FC076BB08FF356F35020"
    "CCEA490CE26775A52DC6EA718CC1AA600AED05FBF35E084A6632F6072DA9AD13"
)
SM2_MSG = b"message digest"
SM2_K = 0x59276E27D506861A16680F3AD9C02DCCEF3CC1FA3CDBE4CE6D54B80DEAC1BC21
SM2_R = 0xF5A03B0648D2C4630EEAC513E1BB81A15944DA3827D5B74143AC7EACEEE720B3
SM2_S = 0xB1B6AA29DF212FD8763182BC0D421CA1BB9038FD1F7F42D4840B69C485BBC1AA


def _gmalg_signer(private: bytes, public: bytes, k: int | None = None) -> gmalg.SM2:
    kwargs = {"rnd_fn": (lambda _n: k)} if k is not None else {}
    return gmalg.SM2(sk=private, uid=gm.DEFAULT_SIGNER_ID, pk=b"\x04" + public, **kwargs)


# -- SM3 (GB/T 32905-2016, Appendix A) --------------------------------------------------------


def test_sm3_published_examples() -> None:
    assert gm.sm3_hex(b"abc") == (
        "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    )
    assert gm.sm3_hex(b"abcd" * 16) == (
        "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"
    )


def test_sm3_and_hmac_sm3_agree_with_gmssl() -> None:
    data = "工会会员 330106199001011234".encode()
    assert gm.sm3(data) == bytes(gmssl_pyx.sm3_hash(data))
    for key in (b"k", b"k" * 32, b"k" * 100):  # shorter than, equal to and longer than a block
        assert gm.hmac_sm3(key, data) == bytes(gmssl_pyx.sm3_hmac(key, data))
    tag = gm.hmac_sm3(b"index-key", data)
    assert gm.hmac_sm3_equal(b"index-key", data, tag)
    assert not gm.hmac_sm3_equal(b"other-key", data, tag)


# -- SM4 (GB/T 32907-2016 Appendix A; RFC 8998 A.1 for GCM) ------------------------------------


def test_sm4_block_example() -> None:
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    key = bytes.fromhex("0123456789abcdeffedcba9876543210")
    enc = Cipher(algorithms.SM4(key), modes.ECB()).encryptor()
    assert (enc.update(key) + enc.finalize()).hex() == "681edf34d206965e86b3e94f536e4246"


# RFC 8998 A.1: SM4-GCM
RFC8998_KEY = bytes.fromhex("0123456789ABCDEFFEDCBA9876543210")
RFC8998_NONCE = bytes.fromhex("00001234567800000000ABCD")
RFC8998_AAD = bytes.fromhex("FEEDFACEDEADBEEFFEEDFACEDEADBEEFABADDAD2")
RFC8998_PLAIN = bytes.fromhex(
    "AAAAAAAAAAAAAAAABBBBBBBBBBBBBBBBCCCCCCCCCCCCCCCCDDDDDDDDDDDDDDDD"
    "EEEEEEEEEEEEEEEEFFFFFFFFFFFFFFFFEEEEEEEEEEEEEEEEAAAAAAAAAAAAAAAA"
)
RFC8998_SEALED = bytes.fromhex(
    "17F399F08C67D5EE19D0DC9969C4BB7D5FD46FD3756489069157B282BB200735"
    "D82710CA5C22F0CCFA7CBF93D496AC15A56834CBCF98C397B4024A2691233B8D"
    "83DE3541E4C2B58177E065A9BF7B62EC"
)


def test_sm4_gcm_rfc8998_vector() -> None:
    key, nonce, aad = RFC8998_KEY, RFC8998_NONCE, RFC8998_AAD
    assert gm.sm4_gcm_encrypt(key, nonce, RFC8998_PLAIN, aad) == RFC8998_SEALED
    assert gm.sm4_gcm_decrypt(key, nonce, RFC8998_SEALED, aad) == RFC8998_PLAIN


def test_sm4_gcm_refuses_every_change() -> None:
    key, nonce = gm.new_sm4_key(), b"\x01" * 12
    sealed = gm.sm4_gcm_encrypt(key, nonce, b"330106199001011234", b"record-1")
    with pytest.raises(gm.GmCryptoError):
        gm.sm4_gcm_decrypt(key, nonce, sealed, b"record-2")  # value moved to another record
    flipped = bytes([sealed[0] ^ 1]) + sealed[1:]
    with pytest.raises(gm.GmCryptoError):
        gm.sm4_gcm_decrypt(key, nonce, flipped, b"record-1")
    with pytest.raises(gm.GmCryptoError):
        gm.sm4_gcm_decrypt(gm.new_sm4_key(), nonce, sealed, b"record-1")
    with pytest.raises(gm.GmCryptoError):
        gm.sm4_gcm_encrypt(b"short", nonce, b"x")


# -- SM2 signatures (GB/T 32918.2, GM/T 0003.5 A.2) -------------------------------------------


def test_sm2_published_signature_verifies() -> None:
    signature = encode_dss_signature(SM2_R, SM2_S)
    assert gm.sm2_verify(SM2_PUB, SM2_MSG, signature)
    assert not gm.sm2_verify(SM2_PUB, b"message digesT", signature)
    assert not gm.sm2_verify(SM2_PUB, SM2_MSG, encode_dss_signature(SM2_R, SM2_S ^ 1))


def test_sm2_published_key_and_signature_by_second_implementation() -> None:
    """The independent implementation derives the published public key from the published
    private key and, with the published k, makes exactly the published (r, s)."""
    signer = gmalg.SM2(sk=SM2_D, uid=gm.DEFAULT_SIGNER_ID, rnd_fn=lambda _n: SM2_K)
    assert signer.generate_pk(SM2_D) == b"\x04" + SM2_PUB
    r, s = _gmalg_signer(SM2_D, SM2_PUB, SM2_K).sign(SM2_MSG)
    assert (int.from_bytes(r, "big"), int.from_bytes(s, "big")) == (SM2_R, SM2_S)


def test_sm2_signatures_cross_verify_between_implementations() -> None:
    private, public = gm.sm2_new_key()
    other = _gmalg_signer(private, public)
    for message in (b"", b"batch header", "会员评家".encode() * 100):
        ours = gm.sm2_sign(private, public, message)
        r, s = decode_dss_signature(ours)
        assert other.verify(message, r.to_bytes(32, "big"), s.to_bytes(32, "big"))
        theirs_r, theirs_s = other.sign(message)
        theirs = encode_dss_signature(
            int.from_bytes(theirs_r, "big"), int.from_bytes(theirs_s, "big")
        )
        assert gm.sm2_verify(public, message, theirs)


def test_sm2_signatures_equal_gmssl_message_level_signing() -> None:
    """Our Z || M digest is what GmSSL's own message-level sign / verify (which compute Z
    themselves, with the default signer ID) sign and check."""
    private, public = gm.sm2_new_key()
    ours = gm.sm2_sign(private, public, b"header")
    assert gmssl_pyx.sm2_verify(public, b"header", ours, gm.DEFAULT_SIGNER_ID)
    theirs = bytes(gmssl_pyx.sm2_sign(private, public, b"header", gm.DEFAULT_SIGNER_ID))
    assert gm.sm2_verify(public, b"header", theirs)
    assert not gmssl_pyx.sm2_verify(public, b"header", ours, b"another signer id")


def test_sm2_verify_refuses_foreign_key_and_garbage() -> None:
    private, public = gm.sm2_new_key()
    _, foreign = gm.sm2_new_key()
    signature = gm.sm2_sign(private, public, b"receipt")
    assert gm.sm2_verify(public, b"receipt", signature)
    assert not gm.sm2_verify(foreign, b"receipt", signature)
    assert not gm.sm2_verify(public, b"receipt", b"\x30\x02\x01")
    assert not gm.sm2_verify(b"\x00" * 10, b"receipt", signature)


# -- SM2 + SM4-GCM sealing (the KEM/DEM of sync.crypto_gm) ------------------------------------


def test_seal_round_trip_and_binding() -> None:
    private, public = gm.sm2_new_key()
    info = b"batch:1|device:d1|seq:7"
    payload = "花名册 ".encode() * 10_000
    sealed = gm.sm2_seal(public, payload, info)
    assert gm.sm2_open(private, sealed, info) == payload
    assert payload[:64] not in sealed
    with pytest.raises(gm.GmCryptoError):
        gm.sm2_open(private, sealed, b"batch:2|device:d1|seq:7")  # moved to another batch
    other_private, _ = gm.sm2_new_key()
    with pytest.raises(gm.GmCryptoError):
        gm.sm2_open(other_private, sealed, info)  # wrong recipient
    for position in (3, len(sealed) // 2, len(sealed) - 1):  # c1, body, tag
        tampered = bytearray(sealed)
        tampered[position] ^= 0x40
        with pytest.raises(gm.GmCryptoError):
            gm.sm2_open(private, bytes(tampered), info)
    with pytest.raises(gm.GmCryptoError):
        gm.sm2_open(private, sealed[:40], info)


def test_seal_key_encapsulation_opens_with_second_implementation() -> None:
    """The encapsulated SM4 key (c1) is standard SM2 encryption: gmalg decrypts it too."""

    private, public = gm.sm2_new_key()
    sealed = gm.sm2_seal(public, b"payload", b"info")
    c1_len = int.from_bytes(sealed[:2], "big")
    der = sealed[2 : 2 + c1_len]
    x, y, c3, c2 = _parse_c1c3c2_der(der)
    other = gmalg.SM2(sk=private, pk=b"\x04" + public)
    dek = other.decrypt(b"\x04" + x + y + c3 + c2)
    assert len(dek) == gm.SM4_KEY_BYTES
    nonce = sealed[2 + c1_len : 2 + c1_len + 12]
    body = sealed[2 + c1_len + 12 :]
    aad = b"uniondesk-gm-seal-v1" + (4).to_bytes(4, "big") + b"info" + der
    assert gm.sm4_gcm_decrypt(dek, nonce, body, aad) == b"payload"


def _parse_c1c3c2_der(der: bytes) -> tuple[bytes, bytes, bytes, bytes]:
    """SEQUENCE { INTEGER x, INTEGER y, OCTET STRING c3, OCTET STRING c2 } (GM/T 0009)."""

    def read(buf: bytes, pos: int) -> tuple[int, bytes, int]:
        tag, length = buf[pos], buf[pos + 1]
        pos += 2
        if length & 0x80:
            n = length & 0x7F
            length = int.from_bytes(buf[pos : pos + n], "big")
            pos += n
        return tag, buf[pos : pos + length], pos + length

    tag, body, _ = read(der, 0)
    assert tag == 0x30
    parts, pos = [], 0
    while pos < len(body):
        _, value, pos = read(body, pos)
        parts.append(value)
    x, y, c3, c2 = parts
    return (
        int.from_bytes(x, "big").to_bytes(32, "big"),
        int.from_bytes(y, "big").to_bytes(32, "big"),
        c3,
        c2,
    )
