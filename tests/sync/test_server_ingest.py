"""Batch upload against a real county server over HTTPS: receipts, idempotency, refusals.
Every test runs on both crypto suites (intl, and gm: SM2 / SM3 / SM2+SM4 sealing), with the
same status codes and error codes.

Every refusal must give a clear status + error code, write a ``refused <code>`` log line, and
store nothing (no batch, no record, the device's sequence counter unchanged).
"""

from __future__ import annotations

import json
import uuid
from dataclasses import replace

import pytest

from sync import crypto
from sync.protocol import Envelope, Receipt, StaleSequence, canonical_json, parse_json_object
from sync.server.tables import batches, records


@pytest.fixture(scope="module", params=crypto.SUITES)
def suite(request):
    return request.param


def snapshot(handle, device):
    store = handle.server.store
    row = store.device(device.device_id) if device.device_id else None
    return (store.count(batches), store.count(records), row and int(row.last_seq))


def assert_refused(handle, device, response, status, code, before):
    assert response.status_code == status, response.text
    body = response.json()
    assert body["error"] == code
    assert body["message"]
    assert f"refused {code} status={status}" in handle.log_text()
    assert snapshot(handle, device) == before


def verified_receipt(handle, body: bytes) -> Receipt:
    doc = crypto.verify_signed_json(handle.server.signing_public, body)
    return Receipt.from_dict(doc)


# --------------------------------------------------------------------------- happy path


def test_batch_is_stored_and_receipt_is_signed_per_record(county_server, raw_device):
    device = raw_device(county_server)
    good, bad = device.record(), device.record(employer_nature="bogus")
    body = device.seal([good, bad])
    r = device.post_batch(body)
    assert r.status_code == 200, r.text
    receipt = verified_receipt(county_server, r.content)
    assert receipt.envelope_sha256 == Envelope.from_json(body).envelope_sha256()
    by_uuid = {s.record_uuid: s for s in receipt.records}
    assert by_uuid[good["uuid"]].status == "received"
    assert by_uuid[bad["uuid"]].status == "rejected"
    assert by_uuid[bad["uuid"]].errors[0]["code"] == "choice.unknown"
    assert by_uuid[bad["uuid"]].errors[0]["field"] == "employer_nature"
    stored = county_server.server.store.record_rows(good["uuid"])
    assert [county_server.server.sealer.open_content(row.content) for row in stored] == [good]
    # the rejected record is not stored, and a log line names it without its content
    assert county_server.server.store.record_rows(bad["uuid"]) == []
    log = county_server.log_text()
    assert f"record rejected device={device.device_id}" in log
    assert "codes=choice.unknown" in log
    assert "杭州示例" not in log and "bogus" not in log


def test_same_batch_twice_gives_identical_receipt_and_one_copy(county_server, raw_device):
    device = raw_device(county_server)
    rec = device.record()
    body = device.seal([rec])
    first = device.post_batch(body)
    again = [device.post_batch(body) for _ in range(3)]
    assert first.status_code == 200
    assert all(r.status_code == 200 and r.content == first.content for r in again)
    assert len(county_server.server.store.record_rows(rec["uuid"])) == 1
    # whitespace differences of the same envelope are still the same batch
    pretty = json.dumps(json.loads(body), indent=2).encode()
    assert device.post_batch(pretty).content == first.content


def test_conflicting_body_under_used_batch_id_is_409(county_server, raw_device):
    device = raw_device(county_server)
    batch_id = str(uuid.uuid4())
    assert device.post_batch(device.seal([device.record()], batch_id=batch_id)).status_code == 200
    other = device.seal([device.record()], batch_id=batch_id)
    before = snapshot(county_server, device)
    r = device.post_batch(other)
    assert_refused(county_server, device, r, 409, "batch_conflict", before)


def test_record_already_stored_is_duplicate_and_changed_content_conflicts(
    county_server, raw_device
):
    device = raw_device(county_server)
    rec = device.record()
    assert device.post_batch(device.seal([rec])).status_code == 200
    # the same record version re-sealed in a new batch (e.g. after a client reinstall)
    r = device.post_batch(device.seal([rec]))
    assert [s.status for s in verified_receipt(county_server, r.content).records] == ["duplicate"]
    changed = {**rec, "data": {**rec["data"], "members": 9}}
    r = device.post_batch(device.seal([changed]))
    (status,) = verified_receipt(county_server, r.content).records
    assert status.status == "rejected"
    assert status.errors[0]["code"] == "sync.version_conflict"
    # the same uuid + version twice inside one batch: the second is rejected
    twin = device.record()
    r = device.post_batch(device.seal([twin, twin]))
    statuses = verified_receipt(county_server, r.content).records
    assert [s.status for s in statuses] == ["received", "rejected"]
    assert statuses[1].errors[0]["code"] == "sync.duplicate_in_batch"
    rows = county_server.server.store.record_rows(rec["uuid"])
    assert [json.loads(row.content) for row in rows] == [rec]
    # a new version of the record is a new row
    v2 = {**changed, "version": 2}
    r = device.post_batch(device.seal([v2]))
    assert verified_receipt(county_server, r.content).records[0].status == "received"
    assert [row.version for row in county_server.server.store.record_rows(rec["uuid"])] == [1, 2]
    # edited on two copies (a restored backup): v2 conflicts, and so does the v3 built on it
    other_v2 = {**rec, "version": 2, "data": {**rec["data"], "members": 7}}
    other_v3 = {**other_v2, "version": 3}
    r = device.post_batch(device.seal([other_v2, other_v3]))
    statuses = verified_receipt(county_server, r.content).records
    assert [s.status for s in statuses] == ["rejected", "rejected"]
    assert [s.errors[0]["code"] for s in statuses] == ["sync.version_conflict"] * 2
    assert [s.errors[0]["params"]["stored_version"] for s in statuses] == [2, 2]
    assert [row.version for row in county_server.server.store.record_rows(rec["uuid"])] == [1, 2]


def test_gaps_in_sequence_numbers_are_allowed(county_server, raw_device):
    device = raw_device(county_server)
    assert device.post_batch(device.seal([device.record()], seq=5)).status_code == 200
    assert device.post_batch(device.seal([device.record()], seq=9)).status_code == 200
    assert int(county_server.server.store.device(device.device_id).last_seq) == 9


# --------------------------------------------------------------------------- refusals


def test_forged_signature_is_refused(county_server, raw_device):
    device = raw_device(county_server)
    env = Envelope.from_json(device.seal([device.record()]))
    forged = crypto.sign_document(crypto.new_signing_key(env.suite), env)
    before = snapshot(county_server, device)
    r = device.post_batch(forged.to_json())
    assert_refused(county_server, device, r, 401, "bad_signature", before)


def test_changed_ciphertext_byte_is_refused(county_server, raw_device):
    device = raw_device(county_server)
    env = Envelope.from_json(device.seal([device.record()]))
    flipped = bytearray(env.payload)
    flipped[len(flipped) // 2] ^= 0x01
    before = snapshot(county_server, device)
    r = device.post_batch(replace(env, payload=bytes(flipped)).to_json())
    assert_refused(county_server, device, r, 400, "payload_hash_mismatch", before)
    # sealed for another server: well signed, but not decryptable here
    other = crypto.seal_batch(
        device_key=device.key,
        device_id=device.device_id,
        batch_id=str(uuid.uuid4()),
        device_seq=50,
        records=[device.record()],
        audit_head="0" * 64,
        recipient_public=crypto.public_bytes(crypto.new_hpke_key(env.suite)),
    )
    r = device.post_batch(other.to_json())
    assert_refused(county_server, device, r, 400, "wrong_recipient", before)


def test_unknown_device_is_refused(county_server, raw_device):
    stranger = raw_device(county_server, enroll=False)
    stranger.enrollment = raw_device(county_server).enrollment  # knows the server key
    stranger.device_id = str(uuid.uuid4())
    before = snapshot(county_server, stranger)
    r = stranger.post_batch(stranger.seal([stranger.record()]))
    assert_refused(county_server, stranger, r, 403, "unknown_device", before)


def test_revoked_device_is_refused(county_server, raw_device):
    device = raw_device(county_server)
    assert device.post_batch(device.seal([device.record()])).status_code == 200
    county_server.revoke(device.device_id)
    before = snapshot(county_server, device)
    r = device.post_batch(device.seal([device.record()]))
    assert_refused(county_server, device, r, 403, "device_revoked", before)
    r = device.signed("GET", "/v1/inbox")
    assert r.status_code == 403 and r.json()["error"] == "device_revoked"


def test_replayed_sequence_number_is_refused(county_server, raw_device):
    device = raw_device(county_server)
    assert device.post_batch(device.seal([device.record()], seq=3)).status_code == 200
    before = snapshot(county_server, device)
    for seq in (3, 2):
        body = device.seal([device.record()], seq=seq)
        envelope = Envelope.from_json(body)
        r = device.post_batch(body)
        assert_refused(county_server, device, r, 409, "stale_sequence", before)
        assert r.json()["last_device_seq"] == 3
        # the county's signed word: this exact batch was not stored, the mark is 3
        refusal = r.json()["refusal"]
        doc = crypto.verify_signed_json(
            county_server.server.signing_public, canonical_json(refusal)
        )
        mark = StaleSequence.from_dict(doc)
        assert (mark.batch_id, mark.device_seq, mark.last_device_seq) == (
            envelope.batch_id,
            seq,
            3,
        )
        assert mark.envelope_sha256 == envelope.envelope_sha256()


def test_record_for_another_org_unit_is_rejected_and_not_stored(county_server, raw_device):
    device = raw_device(county_server, org_unit="330106002")
    raw_device(county_server, org_unit="330106003")  # a sibling township exists
    mine, theirs = device.record(), device.record(org_unit="330106003")
    county = device.record(org_unit="330106")
    r = device.post_batch(device.seal([mine, theirs, county]))
    assert r.status_code == 200
    statuses = verified_receipt(county_server, r.content).records
    assert [s.status for s in statuses] == ["received", "rejected", "rejected"]
    assert {s.errors[0]["code"] for s in statuses[1:]} == {"sync.wrong_org_unit"}
    assert county_server.server.store.record_rows(theirs["uuid"]) == []
    assert county_server.server.store.record_rows(county["uuid"]) == []
    assert f"record={theirs['uuid']} version=1 codes=sync.wrong_org_unit" in (
        county_server.log_text()
    )


def test_record_failing_validation_or_unknown_form_is_rejected(county_server, raw_device):
    device = raw_device(county_server)
    too_many = device.record(members=50, employees=10)  # members <= employees
    no_form = {**device.record(), "form_id": "no_such_form"}
    broken = {**device.record(), "version": "one"}
    r = device.post_batch(device.seal([too_many, no_form, broken]))
    statuses = verified_receipt(county_server, r.content).records
    assert [s.status for s in statuses] == ["rejected"] * 3
    assert statuses[0].errors and statuses[0].errors[0]["code"] != "sync.bad_record"
    assert statuses[1].errors[0]["code"] == "sync.unknown_form"
    assert statuses[2].errors[0]["code"] == "sync.bad_record"
    for rec in (too_many, no_form):
        assert county_server.server.store.record_rows(rec["uuid"]) == []


def test_batch_over_the_caps_is_refused(county_server_factory, raw_device):
    handle = county_server_factory(max_batch_records=3, max_batch_bytes=6000)
    device = raw_device(handle)
    before = snapshot(handle, device)
    r = device.post_batch(device.seal([device.record() for _ in range(4)]))
    assert_refused(handle, device, r, 413, "too_many_records", before)
    assert r.json()["max_batch_records"] == 3
    big = device.record(address="地" * 2000)  # ~6 kB of UTF-8, incompressible enough
    big["data"]["address"] = "".join(chr(0x4E00 + (i * 7919) % 20000) for i in range(3000))
    r = device.post_batch(device.seal([big]))
    assert_refused(handle, device, r, 413, "batch_too_large", before)
    # within the caps the same device goes on normally
    assert device.post_batch(device.seal([device.record() for _ in range(3)])).status_code == 200


@pytest.mark.parametrize(
    "body",
    [b"{not json", b"[]", b"\xff\xfe", b"", b'{"protocol": 1, "type": "batch"}'],
    ids=["broken", "array", "not-utf8", "empty", "missing-members"],
)
def test_malformed_json_is_refused(county_server, raw_device, body):
    device = raw_device(county_server)
    before = snapshot(county_server, device)
    r = device.post_batch(body)
    expected = ("invalid_document", 422) if b"protocol" in body else ("malformed_json", 400)
    assert_refused(county_server, device, r, expected[1], expected[0], before)


def test_old_protocol_version_is_refused(county_server, raw_device):
    device = raw_device(county_server)
    body = parse_json_object(device.seal([device.record()]))
    before = snapshot(county_server, device)
    r = device.post_batch(canonical_json({**body, "protocol": 0}))
    assert_refused(county_server, device, r, 400, "unsupported_protocol", before)
    r = device.session.post(f"{county_server.url}/v0/batches", data=canonical_json(body))
    assert_refused(county_server, device, r, 410, "unsupported_protocol", before)
    assert r.json()["supported"] == [1]
    assert device.session.get(f"{county_server.url}/versions").json() == {
        "supported": [1],
        "current": 1,
    }


def test_same_batch_sent_concurrently_is_stored_once(county_server, raw_device):
    from concurrent.futures import ThreadPoolExecutor

    import requests

    device = raw_device(county_server)
    recs = [device.record() for _ in range(20)]
    body = device.seal(recs)

    def send(_: int) -> tuple[int, bytes]:
        r = requests.post(
            f"{county_server.url}/v1/batches",
            data=body,
            verify=str(county_server.ca_path),
            timeout=30,
        )
        return r.status_code, r.content

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(send, range(8)))
    assert {status for status, _ in results} == {200}
    assert len({content for _, content in results}) == 1
    stored = county_server.server.store.record_rows()
    assert sum(1 for row in stored if row.batch_id == Envelope.from_json(body).batch_id) == 20


def test_retry_damaged_in_transit_is_400_and_the_clean_retry_gets_the_receipt(
    county_server, raw_device
):
    device = raw_device(county_server)
    body = device.seal([device.record()])
    first = device.post_batch(body)
    env = Envelope.from_json(body)
    damaged = bytearray(env.payload)
    damaged[-1] ^= 0x80
    r = device.post_batch(replace(env, payload=bytes(damaged)).to_json())
    assert r.status_code == 400 and r.json()["error"] == "payload_hash_mismatch"
    assert device.post_batch(body).content == first.content


def test_personal_data_never_reaches_the_server_log(county_server, raw_device):
    device = raw_device(county_server)
    ok = device.record(chair_name="王小明", chair_mobile="13912345678")
    bad = device.record(chair_name="李大红", chair_mobile="12912345678", employer_uscc="91X")
    r = device.post_batch(device.seal([ok, bad]))
    assert [s["status"] for s in r.json()["records"]] == ["received", "rejected"]
    codes = {e["field"] for e in r.json()["records"][1]["errors"]}
    assert {"chair_mobile", "employer_uscc"} <= codes
    log = county_server.log_text()
    assert bad["uuid"] in log  # the rejection is logged ...
    for secret in ("王小明", "13912345678", "李大红", "12912345678", "91X", "杭州示例"):
        assert secret not in log  # ... without any of the record's content
