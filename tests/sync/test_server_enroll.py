"""Enrollment against a real county server: what a device receives, and refused codes."""

from __future__ import annotations

import time

import pytest
import requests

import forms
from sync import crypto
from sync.protocol import (
    EnrollRequest,
    EnrollResponse,
    ca_check,
    canonical_json,
    format_enroll_code,
    split_enroll_code,
)
from sync.server.tables import devices


def post_enroll(handle, code: str, key=None) -> requests.Response:
    key = key or crypto.new_signing_key()
    body = EnrollRequest(code=code, device_public_key=crypto.public_bytes(key), label="PC-1")
    return requests.post(
        f"{handle.url}/v1/enroll", data=body.to_json(), verify=str(handle.ca_path), timeout=10
    )


def test_enrollment_gives_keys_ca_forms_and_own_part_of_the_tree(county_server):
    county_server.make_code("330106101", name="转塘街道总工会")  # a sibling township
    county_server.server.store.add_org_unit("330106001001", "某公司工会", "330106001", "grassroots")
    code = county_server.make_code("330106001", name="西溪街道总工会")
    key = crypto.new_signing_key()
    r = post_enroll(county_server, code, key)
    assert r.status_code == 200, r.text
    resp = EnrollResponse.from_json(r.content)
    assert resp.org_unit.code == "330106001"
    info = requests.get(
        f"{county_server.url}/v1/info", verify=str(county_server.ca_path), timeout=10
    ).json()
    assert crypto.b64e(resp.server.signing_key) == info["signing_key"]
    assert crypto.b64e(resp.server.hpke_public_key) == info["hpke_public_key"]
    assert resp.server.level == "county"
    assert resp.ca_cert_pem == county_server.ca_path.read_text()
    assert ca_check(resp.ca_cert_pem) == split_enroll_code(code)[1]
    codes = [u.code for u in resp.org_units]
    assert codes == ["330106", "330106001", "330106001001"]  # not the sibling township
    shipped = {(f["id"], f["version"]) for f in resp.forms}
    assert set(forms.available_forms()) <= shipped
    for raw in resp.forms:  # every definition loads on the client
        forms.load_form_dict(raw, source="enroll")
    row = county_server.server.store.device(resp.device_id)
    assert row.public_key == crypto.public_bytes(key) and row.org_unit == "330106001"
    assert row.label == "PC-1" and row.revoked_at is None
    assert f"device enrolled device={resp.device_id}" in county_server.log_text()


def refused(handle, response, code):
    assert response.status_code == 403, response.text
    assert response.json()["error"] == code
    assert f"refused {code} status=403" in handle.log_text()


def test_used_code_is_refused(county_server):
    code = county_server.make_code()
    assert post_enroll(county_server, code).status_code == 200
    before = county_server.server.store.count(devices)
    refused(county_server, post_enroll(county_server, code), "enroll_code_used")
    assert county_server.server.store.count(devices) == before


def test_expired_code_is_refused(county_server):
    code = county_server.make_code(ttl_hours=1 / 3600)
    time.sleep(1.2)
    before = county_server.server.store.count(devices)
    refused(county_server, post_enroll(county_server, code), "enroll_code_expired")
    assert county_server.server.store.count(devices) == before


@pytest.mark.parametrize("kind", ["wrong-secret", "other-server", "garbled"])
def test_wrong_code_is_refused(county_server, kind):
    real = split_enroll_code(county_server.make_code())
    code = {
        "wrong-secret": format_enroll_code("ABCDEFGHJK" + real[1]),
        "other-server": format_enroll_code(real[0] + "ABCDEFGHJK"),
        "garbled": "hello",
    }[kind]
    before = county_server.server.store.count(devices)
    refused(county_server, post_enroll(county_server, code), "enroll_code_invalid")
    assert county_server.server.store.count(devices) == before


def test_code_for_unknown_org_unit_cannot_be_made(county_server):
    from sync.server.config import ServerSetupError

    with pytest.raises(ServerSetupError, match="unknown org unit 999"):
        county_server.server.make_enroll_code("999")


def test_malformed_enroll_request_is_refused(county_server):
    url, ca = f"{county_server.url}/v1/enroll", str(county_server.ca_path)
    r = requests.post(url, data=b"{oops", verify=ca, timeout=10)
    assert r.status_code == 400 and r.json()["error"] == "malformed_json"
    bad_key = {"protocol": 1, "type": "enroll_request", "code": "x", "device_public_key": "AAAA"}
    r = requests.post(url, data=canonical_json(bad_key), verify=ca, timeout=10)
    assert r.status_code == 422 and r.json()["error"] == "invalid_document"
    r = requests.post(url, data=canonical_json({**bad_key, "protocol": 0}), verify=ca, timeout=10)
    assert r.status_code == 400 and r.json()["error"] == "unsupported_protocol"


@pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")
def test_ca_endpoint_serves_the_ca_the_code_names(county_server):
    code = county_server.make_code()
    # first contact: before pinning, the client checks the CA against the code
    pem = requests.get(f"{county_server.url}/v1/ca", verify=False, timeout=10).json()["ca_cert_pem"]
    assert ca_check(pem) == split_enroll_code(code)[1]
