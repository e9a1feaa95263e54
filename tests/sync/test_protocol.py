"""Protocol v1 documents: canonical form, shape checks, versioning, enrollment codes."""

from __future__ import annotations

import uuid

import pytest

from sync import protocol as p


def test_canonical_json_is_sorted_compact_utf8_and_refuses_nan():
    assert p.canonical_json({"b": 1, "a": "工会"}) == '{"a":"工会","b":1}'.encode()
    with pytest.raises(ValueError):
        p.canonical_json({"x": float("nan")})


def _env_dict():
    return {
        "protocol": 1,
        "type": "batch",
        "batch_id": str(uuid.uuid4()),
        "device_id": str(uuid.uuid4()),
        "device_seq": 1,
        "recipient_key_id": "ab" * 8,
        "payload_sha256": "0" * 64,
        "content_sha256": "1" * 64,
        "manifest": ["2" * 64],
        "sealed_at": "x",
        "payload": "AAAA",
        "signature": "AAAA",
    }


def test_envelope_round_trip_and_signed_bytes_exclude_signature():
    env = p.Envelope.from_dict(_env_dict())
    assert p.Envelope.from_json(env.to_json()) == env
    assert b"signature" not in env.signed_bytes()


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"protocol": 0}, "unsupported_protocol"),
        ({"protocol": 2}, "unsupported_protocol"),
        ({"protocol": "1"}, "invalid_document"),
        ({"device_seq": 0}, "invalid_document"),
        ({"device_seq": True}, "invalid_document"),
        ({"batch_id": "not-a-uuid"}, "invalid_document"),
        ({"manifest": ["zz"]}, "invalid_document"),
        ({"payload": "@@@"}, "invalid_document"),
        ({"type": "receipt"}, "invalid_document"),
    ],
)
def test_envelope_shape_errors_have_codes(change, code):
    with pytest.raises(p.ProtocolError) as err:
        p.Envelope.from_dict({**_env_dict(), **change})
    assert err.value.code == code


def test_missing_member_and_malformed_json():
    d = _env_dict()
    del d["signature"]
    with pytest.raises(p.ProtocolError, match="signature"):
        p.Envelope.from_dict(d)
    for body in (b"{", b"[1]", b"\xff"):
        with pytest.raises(p.ProtocolError) as err:
            p.Envelope.from_json(body)
        assert err.value.code == "malformed_json"


def test_enroll_code_carries_a_ca_check():
    pem = "-----BEGIN CERTIFICATE-----\nABC\n-----END CERTIFICATE-----\n"
    check = p.ca_check(pem)
    assert len(check) == 10 and check == p.ca_check(pem.replace("\n", "\r\n").encode())
    code = p.format_enroll_code("ABCDEFGHJK" + check)
    assert code.count("-") == 3
    assert p.split_enroll_code(code.lower()) == ("ABCDEFGHJK", check)
    for bad in ("short", "ABCDEFGHJK" + "0" * 10):
        with pytest.raises(p.ProtocolError) as err:
            p.split_enroll_code(bad)
        assert err.value.code == "enroll_code_invalid"


def test_enroll_request_and_response_round_trip():
    req = p.EnrollRequest(code="X", device_public_key=b"k" * 32, label="pc")
    assert p.EnrollRequest.from_dict(p.parse_json_object(req.to_json())) == req
    with pytest.raises(p.ProtocolError):
        p.EnrollRequest.from_dict({**req.to_dict(), "device_public_key": p.b64e(b"short")})
    resp = p.EnrollResponse(
        device_id=str(uuid.uuid4()),
        org_unit=p.OrgUnit("330106001", "西溪街道总工会", "330106"),
        server=p.ServerKeys("s", "县", "county", b"a" * 32, b"b" * 32, "c" * 16),
        ca_cert_pem="pem",
        forms=({"id": "member", "version": 1},),
        org_units=(p.OrgUnit("330106", "西湖区总工会", None, "county"),),
        next_device_seq=5,
    )
    assert p.EnrollResponse.from_json(resp.to_json()) == resp


def test_request_signing_bytes_cover_everything():
    base = p.request_signing_bytes("get", "/v1/inbox?after=1", "n", "d", b"")
    assert b'"method":"GET"' in base
    assert base != p.request_signing_bytes("GET", "/v1/inbox?after=2", "n", "d", b"")
    assert base != p.request_signing_bytes("GET", "/v1/inbox?after=1", "n", "d", b"x")
