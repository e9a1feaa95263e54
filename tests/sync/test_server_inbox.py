"""Downward inbox and signed requests: each device reads only its own signed messages."""

from __future__ import annotations

import json

import pytest

from sync import crypto
from sync.protocol import HEADER_NEXT_NONCE, InboxMessage, Receipt, canonical_json


def messages(device, after: int = 0, limit: int = 100) -> list[InboxMessage]:
    r = device.signed("GET", f"/v1/inbox?after={after}&limit={limit}")
    assert r.status_code == 200, r.text
    page = r.json()
    assert page["type"] == "inbox_page"
    out = []
    for raw in page["messages"]:
        doc = crypto.verify_signed_json(device.enrollment.server.signing_key, canonical_json(raw))
        out.append(InboxMessage.from_dict(doc))
    return out


def ack(device, up_to: int):
    body = canonical_json({"protocol": 1, "type": "inbox_ack", "up_to": up_to})
    return device.signed("POST", "/v1/inbox/ack", body)


def test_receipts_reach_only_their_own_device(county_server, raw_device):
    a = raw_device(county_server, org_unit="330106201")
    b = raw_device(county_server, org_unit="330106202")
    ra = a.post_batch(a.seal([a.record()]))
    rb = b.post_batch(b.seal([b.record(), b.record()]))
    inbox_a, inbox_b = messages(a), messages(b)
    assert [m.kind for m in inbox_a] == ["receipt"]
    assert [m.kind for m in inbox_b] == ["receipt"]
    assert all(m.device_id == a.device_id for m in inbox_a)
    assert inbox_a[0].body["receipt"] == json.loads(ra.content)
    assert inbox_b[0].body["receipt"] == json.loads(rb.content)
    receipt = Receipt.from_dict(inbox_a[0].body["receipt"])
    assert crypto.verify_document(a.enrollment.server.signing_key, receipt)


def test_ack_removes_messages_and_is_idempotent(county_server, raw_device):
    device = raw_device(county_server)
    for _ in range(3):
        device.post_batch(device.seal([device.record()]))
    got = messages(device)
    assert len(got) == 3
    seqs = [m.msg_seq for m in got]
    assert seqs == sorted(seqs)
    assert messages(device, after=seqs[0]) == got[1:]
    assert [len(messages(device, limit=2))] == [2]
    r = ack(device, seqs[1])
    assert r.status_code == 200 and r.json()["acknowledged"] == 2
    assert [m.msg_seq for m in messages(device)] == seqs[2:]
    assert ack(device, seqs[1]).json()["acknowledged"] == 0
    assert ack(device, seqs[2]).json()["acknowledged"] == 1
    assert messages(device) == []


def test_a_device_cannot_ack_or_read_for_another(county_server, raw_device):
    a, b = raw_device(county_server), raw_device(county_server)
    a.post_batch(a.seal([a.record()]))
    # b signs with its own key but claims to be a: the signature does not verify
    b_as_a = raw_device(county_server, enroll=False)
    b_as_a.key, b_as_a.device_id = b.key, a.device_id
    r = b_as_a.signed("GET", "/v1/inbox")
    assert r.status_code == 401 and r.json()["error"] == "bad_signature"
    assert "refused bad_signature status=401 GET /v1/inbox" in county_server.log_text()
    up_to = max(m.msg_seq for m in messages(a))
    assert ack(b, up_to).json()["acknowledged"] == 0  # b's ack touches b's messages only
    assert len(messages(a)) == 1


def test_signed_request_refusals(county_server, raw_device):
    device = raw_device(county_server)
    url = f"{county_server.url}/v1/inbox"
    r = device.session.get(url)
    assert r.status_code == 401 and r.json()["error"] == "auth_required"
    nonce = device.nonce()
    assert device.signed("GET", "/v1/inbox", nonce=nonce).status_code == 200
    r = device.signed("GET", "/v1/inbox", nonce=nonce)  # replayed nonce
    assert r.status_code == 401 and r.json()["error"] == "bad_nonce"
    r = device.signed("GET", "/v1/inbox", nonce="made-up")
    assert r.status_code == 401 and r.json()["error"] == "bad_nonce"
    # a signature for one target does not authorise another
    headers = crypto.sign_request(device.key, device.device_id, "GET", "/v1/device", device.nonce())
    r = device.session.get(url, headers=headers)
    assert r.status_code == 401 and r.json()["error"] == "bad_signature"
    assert "refused bad_nonce status=401" in county_server.log_text()


def test_next_nonce_header_saves_a_round_trip(county_server, raw_device):
    device = raw_device(county_server)
    r = device.signed("GET", "/v1/device")
    assert r.status_code == 200
    status = r.json()
    assert status["device_id"] == device.device_id and status["last_device_seq"] == 0
    assert status["org_unit"]["code"] == device.org_unit
    follow = device.signed("GET", "/v1/inbox", nonce=r.headers[HEADER_NEXT_NONCE])
    assert follow.status_code == 200


def test_expired_nonce_is_refused(county_server_factory, raw_device):
    handle = county_server_factory(nonce_ttl_seconds=0)
    device = raw_device(handle)
    r = device.signed("GET", "/v1/inbox")
    assert r.status_code == 401 and r.json()["error"] == "bad_nonce"
    assert "expired" in r.json()["message"]


def test_published_form_reaches_every_active_device(county_server, raw_device):
    import forms

    a, b = raw_device(county_server), raw_device(county_server)
    county_server.revoke(b.device_id)
    raw = json.loads(json.dumps(forms.load_form("union").raw))
    raw["version"] = 2
    form = county_server.server.forms.publish(raw)
    sent = county_server.server.broadcast("form_definition", {"definition": form.raw})
    assert sent >= 1
    kinds = [(m.kind, m.body.get("definition", {}).get("version")) for m in messages(a)]
    assert ("form_definition", 2) in kinds
    # records of the new version now validate on the server
    rec = {**a.record(), "form_version": 2}
    r = a.post_batch(a.seal([rec]))
    assert json.loads(r.content)["records"][0]["status"] == "received"


@pytest.mark.parametrize("limit", [0, 501, -1])
def test_bad_inbox_parameters_are_refused(county_server, raw_device, limit):
    device = raw_device(county_server)
    r = device.signed("GET", f"/v1/inbox?limit={limit}")
    assert r.status_code == 422 and r.json()["error"] == "invalid_document"


def test_new_org_unit_sends_each_device_its_own_tree(county_server, raw_device, capsys):
    from sync.server.cli import main

    a = raw_device(county_server, org_unit="330106301")
    b = raw_device(county_server, org_unit="330106302")
    rc = main(
        ["add-org-unit", "--data", str(county_server.data_dir), "--code", "330106301009",
         "--name", "某村联合工会", "--parent", "330106301", "--kind", "grassroots"]
    )  # fmt: skip
    assert rc == 0 and "tree sent to" in capsys.readouterr().out
    trees = {
        name: [m.body["org_units"] for m in messages(dev) if m.kind == "org_units"][-1]
        for name, dev in (("a", a), ("b", b))
    }
    assert [u["code"] for u in trees["a"]] == ["330106", "330106301", "330106301009"]
    assert [u["code"] for u in trees["b"]] == ["330106", "330106302"]
    # the new unit's records are now accepted from a, refused from b
    assert (
        a.post_batch(a.seal([a.record(org_unit="330106301009")])).json()["records"][0]["status"]
        == "received"
    )
    assert (
        b.post_batch(b.seal([b.record(org_unit="330106301009")])).json()["records"][0]["status"]
        == "rejected"
    )


def test_ack_by_listed_sequence_numbers_leaves_the_others(county_server, raw_device):
    device = raw_device(county_server)
    for _ in range(3):
        device.post_batch(device.seal([device.record()]))
    seqs = [m.msg_seq for m in messages(device)]
    body = canonical_json({"protocol": 1, "type": "inbox_ack", "msg_seqs": [seqs[0], seqs[2]]})
    r = device.signed("POST", "/v1/inbox/ack", body)
    assert r.status_code == 200 and r.json()["acknowledged"] == 2
    assert [m.msg_seq for m in messages(device)] == [seqs[1]]
    bad = canonical_json({"protocol": 1, "type": "inbox_ack", "msg_seqs": ["x"]})
    r = device.signed("POST", "/v1/inbox/ack", bad)
    assert r.status_code == 422 and r.json()["error"] == "invalid_document"


def test_publish_form_from_the_cli_while_the_server_runs(
    county_server, raw_device, tmp_path, capsys
):
    import forms
    from sync.server.cli import main

    device = raw_device(county_server)
    raw = json.loads(json.dumps(forms.load_form("union").raw))
    raw["version"] = 7
    path = tmp_path / "union_v7.json"
    path.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    rc = main(["publish-form", "--data", str(county_server.data_dir), str(path)])
    assert rc == 0 and "published union v7" in capsys.readouterr().out
    # the running server (another Server instance) validates with it and devices get it
    r = device.post_batch(device.seal([{**device.record(), "form_version": 7}]))
    assert r.json()["records"][0]["status"] == "received"
    assert any(
        m.kind == "form_definition" and m.body["definition"]["version"] == 7
        for m in messages(device)
    )
    # the same version with other content, or a broken definition, is refused clearly
    raw["title"] = {"zh_CN": "改了", "en": "changed"}
    path.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    assert main(["publish-form", "--data", str(county_server.data_dir), str(path)]) == 2
    assert "already published with other content" in capsys.readouterr().err
    path.write_text('{"id": "broken"}', encoding="utf-8")
    assert main(["publish-form", "--data", str(county_server.data_dir), str(path)]) == 2
    assert "cannot publish" in capsys.readouterr().err


def test_the_kinds_a_device_declares_reading_its_inbox_are_kept_until_its_next_read(
    county_server, raw_device
):
    device = raw_device(county_server)

    def declared():
        return county_server.server.store.device(device.device_id).inbox_kinds

    assert declared() is None  # never said
    r = device.signed("GET", "/v1/inbox?after=0&limit=10&kinds=review_decisions,receipt")
    assert r.status_code == 200, r.text
    assert declared() == "receipt review_decisions"
    messages(device)  # a read without kinds: a release from before, only the base kinds
    assert declared() is None
    for bad in ("Review", "a,b;c", ",".join(f"k{i}" for i in range(40))):
        r = device.signed("GET", f"/v1/inbox?kinds={bad}")
        assert r.status_code == 422 and r.json()["error"] == "invalid_document", r.text
    assert declared() is None
