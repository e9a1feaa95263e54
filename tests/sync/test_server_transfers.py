"""The county's transfer rules, against a real server over HTTPS with bare protocol devices:
who may request, answer and withdraw a transfer, and what is refused per record (and queued
for nobody). The whole flow between two real workspaces is in test_transfers_e2e.py.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

import forms
from sync import crypto
from sync.protocol import Receipt
from sync.server.domain.transfers import transfer_rows
from sync.server.tables import inbox
from tests.rosters.conftest import resident_id

A, B, C = "330106001", "330106002", "330106003"


def _record(device: Any, form_id: str, data: dict[str, Any], org_unit: str | None = None) -> dict:
    form = forms.load_form(form_id)
    result = forms.validate(form, data)
    assert not result.errors, result.errors
    return {
        **device.record(org_unit=org_unit),
        "form_id": form_id,
        "form_version": form.version,
        "data": dict(result.values),
    }


def request(device: Any, tid: str, to: str = B, **over: Any) -> dict:
    data = {
        "transfer_id": tid,
        "member_uuid": str(uuid.uuid4()),
        "from_org_unit": device.org_unit,
        "from_union_name": "西溪甲公司工会",
        "to_org_unit": to,
        "to_union_name": "北山乙公司工会",
        "date": "2026-11-01",
        "name": "钱七",
        "id_number": resident_id(31),
        "join_date": "2018-04-01",
        **over,
    }
    return _record(device, "member_transfer", data)


def answer(device: Any, tid: str, decision: str, origin: str = A, to: str = B) -> dict:
    data = {
        "transfer_id": tid,
        "from_org_unit": origin,
        "to_org_unit": to,
        "member_name": "钱七",
        "decision": decision,
        "union_name": "北山乙公司工会" if decision == "accepted" else None,
        "date": "2026-11-02",
    }
    return _record(device, "member_transfer_answer", data)


def send(handle: Any, device: Any, *records: dict) -> list[tuple[str, list[str]]]:
    r = device.post_batch(device.seal(list(records)))
    assert r.status_code == 200, r.text
    receipt = Receipt.from_dict(crypto.verify_signed_json(handle.server.signing_public, r.content))
    return [(s.status, [e["code"] for e in s.errors]) for s in receipt.records]


def kinds_for(handle: Any, device: Any) -> list[str]:
    from sqlalchemy import select

    with handle.server.store.read() as conn:
        rows = conn.execute(
            select(inbox.c.kind)
            .where(inbox.c.device_id == device.device_id)
            .order_by(inbox.c.msg_seq)
        )
        return [k for (k,) in rows if k != "receipt"]


@pytest.fixture
def devices(county_server_factory: Any, raw_device: Any) -> tuple[Any, Any, Any, Any]:
    handle = county_server_factory()
    return handle, raw_device(handle, A), raw_device(handle, B), raw_device(handle, C)


def test_answer_rules(devices: Any) -> None:
    handle, a, b, c = devices
    tid = str(uuid.uuid4())
    assert send(handle, b, answer(b, tid, "accepted")) == [("rejected", ["sync.transfer_unknown"])]
    req = request(a, tid)
    assert send(handle, a, req) == [("received", [])]
    assert kinds_for(handle, b) == ["transfer_offer"] and kinds_for(handle, c) == []
    # C was not offered it; A may not answer its own transfer (only withdraw it)
    assert send(handle, c, answer(c, tid, "accepted", to=C)) == [
        ("rejected", ["sync.transfer_not_addressed"])
    ]
    assert send(handle, a, answer(a, tid, "accepted")) == [
        ("rejected", ["sync.transfer_not_addressed"])
    ]
    # B may not withdraw it, only answer it
    assert send(handle, b, answer(b, tid, "withdrawn")) == [
        ("rejected", ["sync.transfer_not_addressed"])
    ]
    first = answer(b, tid, "refused")
    assert send(handle, b, first) == [("received", [])]
    assert kinds_for(handle, a) == ["transfer_answer"]
    # a second, different answer (or a late withdrawal) is refused; the same one is a duplicate
    assert send(handle, b, answer(b, tid, "accepted")) == [("rejected", ["sync.transfer_answered"])]
    assert send(handle, a, answer(a, tid, "withdrawn")) == [
        ("rejected", ["sync.transfer_answered"])
    ]
    assert send(handle, b, first) == [("duplicate", [])]
    assert kinds_for(handle, a) == ["transfer_answer"] and kinds_for(handle, b) == [
        "transfer_offer"
    ]
    assert [r.state for r in transfer_rows(handle.server)] == ["refused"]


def test_transfers_listed_by_the_server_cli(devices: Any, capsys: Any) -> None:
    from sync.server.cli import main

    handle, a, b, _c = devices
    open_tid, done_tid = str(uuid.uuid4()), str(uuid.uuid4())
    send(handle, a, request(a, open_tid), request(a, done_tid))
    send(handle, b, answer(b, done_tid, "accepted"))
    capsys.readouterr()
    assert main(["transfers", "--data", str(handle.data_dir)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 and all(f"{A} " in line and f"-> {B}" in line for line in lines)
    assert main(["transfers", "--data", str(handle.data_dir), "--state", "offered"]) == 0
    [line] = capsys.readouterr().out.splitlines()
    assert open_tid in line and "open" in line and "钱七" not in line


def test_request_rules(devices: Any) -> None:
    handle, a, b, _c = devices
    tid = str(uuid.uuid4())
    req = request(a, tid)
    assert send(handle, a, req) == [("received", [])]
    # the same transfer id for another record; a request claiming another sending unit
    assert send(handle, a, request(a, tid)) == [("rejected", ["sync.transfer_conflict"])]
    assert send(handle, a, request(a, str(uuid.uuid4()), from_org_unit=C)) == [
        ("rejected", ["sync.transfer_mismatch"])
    ]
    assert send(handle, a, request(a, str(uuid.uuid4()), to=A)) == [
        ("rejected", ["sync.transfer_same_township"])
    ]
    # a new version of the same request is stored, but offered only once
    again = {**req, "version": 2, "data": {**req["data"], "reason": "补充原因"}}
    assert send(handle, a, again) == [("received", [])]
    assert kinds_for(handle, b) == ["transfer_offer"]
    # personal data never reaches the server log
    log = handle.log_text()
    assert "transfer offered" in log and resident_id(31) not in log and "钱七" not in log
