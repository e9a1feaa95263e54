"""Sealing, signing and opening batches: what the server and the province rely on."""

from __future__ import annotations

import gzip
import uuid
from dataclasses import replace

import pytest

from sync import crypto
from sync.protocol import Envelope, Receipt, RecordStatus, b64e, canonical_json, parse_json_object

RECORDS = [
    {"uuid": str(uuid.uuid4()), "form_id": "member", "version": 1, "data": {"name": "张三"}},
    {"uuid": str(uuid.uuid4()), "form_id": "member", "version": 2, "data": {"name": "李四"}},
]


@pytest.fixture(scope="module", params=crypto.SUITES)
def keys(request):
    """A device signing key and a server sealing key of each suite (intl, gm)."""
    return crypto.new_signing_key(request.param), crypto.new_hpke_key(request.param)


def other_signing_key(key):
    return crypto.new_signing_key(crypto.suite_of_key(key))


def seal(device_key, hpke_key, **over):
    args = dict(
        device_key=device_key,
        device_id=str(uuid.uuid4()),
        batch_id=str(uuid.uuid4()),
        device_seq=3,
        records=RECORDS,
        audit_head="ab" * 32,
        recipient_public=crypto.public_bytes(hpke_key),
    )
    args.update(over)
    return crypto.seal_batch(**args)


def test_sealed_batch_round_trips_through_json(keys):
    dk, hk = keys
    env = seal(dk, hk)
    wire = env.to_json()
    assert "张三".encode() not in wire  # the payload is encrypted
    payload = crypto.open_batch(
        Envelope.from_json(wire), hpke_key=hk, device_public=crypto.public_bytes(dk)
    )
    assert list(payload.records) == RECORDS
    assert payload.audit_head == "ab" * 32
    assert payload.device_seq == 3


def test_changed_ciphertext_byte_is_refused(keys):
    dk, hk = keys
    env = seal(dk, hk)
    body = bytearray(env.payload)
    body[40] ^= 1
    bad = replace(env, payload=bytes(body))
    with pytest.raises(crypto.CryptoError) as err:
        crypto.open_batch(bad, hpke_key=hk, device_public=dk)
    assert err.value.code == "payload_hash_mismatch"
    # even with the hash fixed up, the signature no longer verifies
    bad2 = replace(bad, payload_sha256=crypto.hash_hex(env.suite, bytes(body)))
    with pytest.raises(crypto.CryptoError) as err:
        crypto.open_batch(bad2, hpke_key=hk, device_public=dk)
    assert err.value.code == "bad_signature"


def test_forged_signature_and_wrong_key_are_refused(keys):
    dk, hk = keys
    env = seal(dk, hk)
    other = other_signing_key(dk)
    with pytest.raises(crypto.CryptoError) as err:
        crypto.open_batch(env, hpke_key=hk, device_public=other)
    assert err.value.code == "bad_signature"
    forged = crypto.sign_document(other, replace(env, device_seq=99))
    with pytest.raises(crypto.CryptoError):
        crypto.open_batch(forged, hpke_key=hk, device_public=dk)


def test_batch_sealed_to_another_server_cannot_be_opened(keys):
    dk, hk = keys
    env = seal(dk, crypto.new_hpke_key(crypto.suite_of_key(hk)))
    with pytest.raises(crypto.CryptoError) as err:
        crypto.open_batch(env, hpke_key=hk, device_public=dk)
    assert err.value.code == "wrong_recipient"


def test_ciphertext_moved_to_another_batch_does_not_open(keys):
    """HPKE info binds the ciphertext to batch id, device id and sequence."""
    dk, hk = keys
    env = seal(dk, hk)
    moved = crypto.sign_document(dk, replace(env, device_seq=4))
    with pytest.raises(crypto.CryptoError) as err:
        crypto.open_batch(moved, hpke_key=hk, device_public=dk)
    assert err.value.code == "decrypt_failed"


def test_manifest_must_match_records(keys):
    dk, hk = keys
    env = seal(dk, hk)
    wrong = crypto.sign_document(dk, replace(env, manifest=tuple(reversed(env.manifest))))
    with pytest.raises(crypto.CryptoError) as err:
        crypto.open_batch(wrong, hpke_key=hk, device_public=dk)
    assert err.value.code == "manifest_mismatch"


def test_gzip_bomb_is_refused():
    bomb = gzip.compress(b"\0" * 5_000_000)
    with pytest.raises(crypto.CryptoError) as err:
        crypto.gunzip_limited(bomb, 1_000_000)
    assert err.value.code == "bad_payload"
    assert crypto.gunzip_limited(gzip.compress(b"abc"), 10) == b"abc"


def test_signed_receipt_verifies_as_received_and_detects_tampering(keys):
    server_key, _ = keys
    receipt = Receipt(
        batch_id=str(uuid.uuid4()),
        device_id=str(uuid.uuid4()),
        device_seq=1,
        envelope_sha256="0" * 64,
        server_id="s",
        received_at="2026-11-23T00:00:00.000Z",
        records=(RecordStatus(str(uuid.uuid4()), 1, "received"),),
    )
    body = crypto.sign_document(server_key, receipt).to_json()
    doc = crypto.verify_signed_json(crypto.public_bytes(server_key), body)
    assert Receipt.from_dict(doc).records[0].status == "received"
    tampered = parse_json_object(body)
    tampered["records"][0]["status"] = "rejected"
    with pytest.raises(crypto.CryptoError):
        crypto.verify_signed_json(server_key, canonical_json(tampered))
    # a member added by a newer server is covered by the signature too
    extended = parse_json_object(body)
    extended["extra"] = 1
    with pytest.raises(crypto.CryptoError):
        crypto.verify_signed_json(server_key, canonical_json(extended))


def test_request_signature_binds_method_target_nonce_and_body(keys):
    dk, _ = keys
    device_id = str(uuid.uuid4())
    headers = crypto.sign_request(dk, device_id, "POST", "/v1/inbox/ack", "n1", b'{"up_to":3}')
    sig = headers["X-UnionDesk-Signature"]
    kw = dict(method="POST", target="/v1/inbox/ack", nonce="n1", device_id=device_id)
    assert crypto.verify_request(dk, sig, body=b'{"up_to":3}', **kw)
    assert not crypto.verify_request(dk, sig, body=b'{"up_to":9}', **kw)
    assert not crypto.verify_request(dk, sig, body=b'{"up_to":3}', **{**kw, "nonce": "n2"})
    assert not crypto.verify_request(dk, sig, body=b'{"up_to":3}', **{**kw, "target": "/v1/x"})
    assert not crypto.verify_request(dk, "%%%", body=b"", **kw)


@pytest.mark.parametrize("password", [None, b"pem-password"])
@pytest.mark.parametrize("suite", crypto.SUITES)
def test_keys_survive_serialisation(tmp_path, suite, password):
    sk, hk = crypto.new_signing_key(suite), crypto.new_hpke_key(suite)
    assert crypto.public_bytes(crypto.signing_key_from_bytes(crypto.private_bytes(sk))) == (
        crypto.public_bytes(sk)
    )
    path = tmp_path / "k.pem"
    crypto.write_private_pem(path, hk, password)
    assert path.stat().st_mode & 0o077 == 0
    if password:
        assert crypto.private_bytes(hk) not in path.read_bytes()
        with pytest.raises((crypto.CryptoError, TypeError, ValueError)):
            crypto.load_private_pem(path.read_bytes(), b"wrong")
    loaded = crypto.load_private_pem(path.read_bytes(), password)
    assert crypto.public_bytes(loaded) == crypto.public_bytes(hk)
    ct = crypto.hpke_seal(crypto.public_bytes(hk), b"secret", b"i")
    assert crypto.hpke_open(loaded, ct, b"i") == b"secret"
    assert b64e(b"x") == "eA=="


def test_envelope_header_alone_proves_who_sealed_each_record(keys):
    """What the province checks after a county relays one record without the batch payload."""
    dk, hk = keys
    env = seal(dk, hk)
    header = {k: v for k, v in env.to_dict().items() if k != "payload"}
    assert crypto.verify_record_provenance(header, RECORDS[1], dk)
    assert crypto.verify_record_provenance(env.to_dict(), RECORDS[0], crypto.public_bytes(dk))
    changed = {**RECORDS[1], "data": {"name": "王五"}}
    assert not crypto.verify_record_provenance(header, changed, dk)
    assert not crypto.verify_record_provenance(header, RECORDS[1], other_signing_key(dk))
    assert not crypto.verify_record_provenance({**header, "device_seq": 4}, RECORDS[1], dk)
    assert not crypto.verify_record_provenance({**header, "signature": 1}, RECORDS[1], dk)


def test_gm_headers_name_their_suite_and_intl_headers_stay_as_they_were():
    """An intl envelope has no "suite" member (old batches keep their bytes); a gm one says
    "gm", uses SM3 for its hashes, and cannot pass for an intl one."""
    intl_env = seal(crypto.new_signing_key("intl"), crypto.new_hpke_key("intl"))
    assert "suite" not in intl_env.to_dict()
    gk, gh = crypto.new_signing_key("gm"), crypto.new_hpke_key("gm")
    gm_env = seal(gk, gh)
    assert gm_env.to_dict()["suite"] == "gm"
    assert gm_env.payload_sha256 == crypto.hash_hex("gm", gm_env.payload)
    assert gm_env.payload_sha256 != crypto.sha256_hex(gm_env.payload)
    assert len(crypto.public_bytes(gk)) == 64 and len(crypto.sign(gk, b"x")) > 64
    relabelled = replace(gm_env, suite="intl")
    with pytest.raises(crypto.CryptoError) as err:
        crypto.open_batch(relabelled, hpke_key=gh, device_public=crypto.public_bytes(gk))
    assert err.value.code == "bad_signature"
    header = {k: v for k, v in gm_env.to_dict().items() if k != "payload"}
    assert crypto.verify_record_provenance(header, RECORDS[0], crypto.public_bytes(gk))
    assert not crypto.verify_record_provenance(
        {**header, "suite": "intl"}, RECORDS[0], crypto.public_bytes(gk)
    )


def test_a_gm_batch_opens_only_with_the_sm2_key_it_was_sealed_to():
    gk, gh = crypto.new_signing_key("gm"), crypto.new_hpke_key("gm")
    env = seal(gk, gh)
    with pytest.raises(crypto.CryptoError) as err:
        crypto.hpke_open(crypto.new_hpke_key("gm"), env.payload, b"uniondesk/v1/batch/x/y/3")
    assert err.value.code == "decrypt_failed"
    with pytest.raises(crypto.CryptoError) as err:
        crypto.hpke_open(crypto.new_hpke_key("intl"), env.payload, b"i")
    assert err.value.code == "decrypt_failed"


def test_signed_dict_names_suite_and_refuses_a_key_of_the_other_suite():
    doc = {"protocol": 1, "type": "acceptance", "record_uuid": "r"}
    for suite in crypto.SUITES:
        key = crypto.new_signing_key(suite)
        signed = crypto.sign_dict(key, doc)
        assert ("suite" in signed) == (suite == "gm")
        assert crypto.verify_dict(crypto.public_bytes(key), signed)
        assert not crypto.verify_dict(crypto.public_bytes(key), {**signed, "record_uuid": "s"})
        other = crypto.new_signing_key("gm" if suite == "intl" else "intl")
        assert not crypto.verify_dict(crypto.public_bytes(other), signed)


@pytest.mark.parametrize(
    "doc",
    [
        {"protocol": 1, "type": "acceptance", "record_uuid": "r", "reviewer": "王审核"},
        {"a": 1},  # every member before "signature"
        {"z": [1, {"b": "x"}]},  # every member after it
        {},
        {"signature": "old", "suite": "gm", "reviewer_device_id": "d", "sa": "", "sign": 2},
    ],
)
def test_a_dict_signed_with_its_json_gives_the_bytes_of_canonical_json(doc: dict) -> None:
    """sign_dict_json (one encoding, the acceptance's path) gives sign_dict's document and
    exactly its canonical JSON, in both suites."""
    for suite in crypto.SUITES:
        key = crypto.new_signing_key(suite)
        signed, raw = crypto.sign_dict_json(key, doc)
        assert raw == canonical_json(signed)
        assert crypto.verify_dict(crypto.public_bytes(key), signed)
        if suite == "intl":  # Ed25519 is deterministic: the very document sign_dict makes
            assert signed == crypto.sign_dict(key, doc)
