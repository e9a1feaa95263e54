"""Two townships sync to one county over real HTTPS: every record arrives exactly once, each
township sees only its own receipts and inbox, and the county's downward messages (a new form
version, the org-unit tree, review decisions) are applied to the right workspace.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import requests

from desktop import link
from desktop.cli import main as cli_main
from desktop.link import state
from desktop.store import Workspace
from sync import crypto
from sync import protocol as proto
from tests.sync.client_support import PASSWORD, HandleView, create_township, union_data

A, B = "330106001", "330106002"


@pytest.fixture
def county(county_server_factory: Callable[..., Any]) -> HandleView:
    """A real county server over HTTPS (the server tests' fixture) with both townships."""
    return HandleView(county_server_factory())


def _captured_inbox(ws: Any) -> list[Any]:
    """The messages the county serves this workspace's device (verified by the engine)."""
    seen: list[Any] = []
    client = link.make_client(ws)
    client.applier = lambda message: seen.append(message) or True
    try:
        client.pull_inbox()
    finally:
        client.session.close()
    return seen


def test_two_townships_sync_every_record_exactly_once(
    tmp_path: Path, county: HandleView, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    ws_a = create_township(tmp_path, A)
    path_a = ws_a.path
    ws_a.close()
    monkeypatch.setenv("UNIONDESK_PASSWORD", PASSWORD)
    code = county.enroll_code(A)
    assert (
        cli_main(["enroll", "--workspace", str(path_a), "--server", county.url, "--code", code])
        == 0
    )
    assert "enrolled: device" in capsys.readouterr().out
    # the same code again is refused clearly, the workspace stays as it was
    ws_b = create_township(tmp_path, B)
    with pytest.raises(link.LinkError) as err:
        link.enroll(ws_b, county.url, code)
    assert err.value.code == "enroll_code_used"
    link.enroll(ws_b, county.url, county.enroll_code(B))

    ws_a = Workspace.open(path_a, user="admin", password=PASSWORD)
    saved_a = [ws_a.records.save("union", union_data(A)) for _ in range(5)]
    changed = ws_a.records.save("union", union_data(A, members=9), record_uuid=saved_a[0].uuid)
    saved_b = [ws_b.records.save("union", union_data(B)) for _ in range(4)]
    ws_a.close()

    assert cli_main(["sync", "--workspace", str(path_a)]) == 0
    out = capsys.readouterr().out
    # an update saved before the sync supersedes the unsent version: 5 records go up
    assert "received: 5" in out and "still pending: 0" in out
    summary_b = link.sync_now(ws_b)
    assert summary_b.received == 4
    # syncing again sends nothing and stores nothing twice
    ws_a = Workspace.open(path_a, user="admin", password=PASSWORD)
    assert link.sync_now(ws_a).records_sent == 0
    assert link.sync_now(ws_b).records_sent == 0

    keys = county.record_keys()
    expected = {(r.uuid, r.version) for r in [*saved_a[1:], changed, *saved_b]}
    assert len(keys) == len(set(keys)) == 9 and set(keys) == expected
    assert {r.org_unit for r in county.record_rows_of(A)} == {A}
    assert {r.record_uuid for r in county.record_rows_of(B)} == {r.uuid for r in saved_b}

    # each township's receipts are its own batches, and its inbox holds only its messages
    dev_a = state.load_enrollment(ws_a.settings).device_id
    dev_b = state.load_enrollment(ws_b.settings).device_id
    batches = {b.batch_id: b.device_id for b in county.server.store.list_batches()}
    assert {batches[h["batch_id"]] for h in state.history(ws_a.settings)} == {dev_a}
    assert {batches[h["batch_id"]] for h in state.history(ws_b.settings)} == {dev_b}

    county.server.broadcast("org_units", {"org_units": [{"code": "x"}]})
    with county.server.store.write() as conn:
        county.server.enqueue(
            conn,
            dev_b,
            "review_decision",
            {
                "record_uuid": saved_b[0].uuid,
                "version": 1,
                "decision": "returned",
                "comment": "请补充职工人数",
                "reviewer": "r",
                "decided_at": "2026-11-23T00:00:00Z",
            },
        )
    inbox_a, inbox_b = _captured_inbox(ws_a), _captured_inbox(ws_b)
    assert [m.kind for m in inbox_a] == ["org_units"]
    assert sorted(m.kind for m in inbox_b) == ["org_units", "review_decision"]
    assert {m.device_id for m in inbox_a} == {dev_a} and {m.device_id for m in inbox_b} == {dev_b}

    # A cannot read B's inbox: a request naming B's device but signed with A's key is refused
    e_a = state.load_enrollment(ws_a.settings)
    session = link.service.make_session(e_a)
    nonce = session.post(county.url + "/v1/nonce").json()["nonce"]
    target = "/v1/inbox?after=0&limit=100"
    headers = crypto.sign_request(
        crypto.signing_key_from_bytes(state.unb64(e_a.device_private_key)),
        dev_b,
        "GET",
        target,
        nonce,
    )
    r = session.get(county.url + target, headers=headers)
    assert r.status_code == 401 and r.json()["error"] == "bad_signature"
    session.close()
    ws_a.close()
    ws_b.close()


def test_inbox_messages_are_applied_to_the_workspace(tmp_path: Path, county: HandleView) -> None:
    ws = create_township(tmp_path, A)
    link.enroll(ws, county.url, county.enroll_code(A))
    kept = ws.records.save("union", union_data(A))
    back = ws.records.save("union", union_data(A))
    link.sync_now(ws)
    device = state.load_enrollment(ws.settings).device_id

    import forms

    v2 = copy.deepcopy(forms.load_form("union").raw)
    v2["version"] = 2
    county.server.forms.publish(v2)
    county.server.broadcast("form_definition", {"definition": v2})
    county.server.broadcast(
        "org_units",
        {
            "org_units": [
                {"code": A, "name": "西溪街道总工会", "parent": "330106", "kind": "township"},
                {"code": "330106001001", "name": "新建社区工会", "parent": A, "kind": "grassroots"},
            ]
        },
    )
    with county.server.store.write() as conn:
        for rec, decision, comment in (
            (kept, "accepted", None),
            (back, "returned", "请核对会员人数"),
        ):
            county.server.enqueue(
                conn,
                device,
                "review_decision",
                {
                    "record_uuid": rec.uuid,
                    "version": 1,
                    "decision": decision,
                    "comment": comment,
                    "reviewer": "县审核员",
                    "decided_at": "2026-11-23T01:00:00Z",
                },
            )
        county.server.enqueue(conn, device, "from_the_future", {"anything": 1})
        # a definition this program cannot use is skipped, and does not block the inbox
        county.server.enqueue(
            conn, device, "form_definition", {"definition": {"id": "union", "version": 3}}
        )

    summary = link.sync_now(ws)
    assert summary.inbox_applied == 6
    assert ws.forms.latest("union").version == 2
    fresh = ws.records.save("union", union_data(A))
    assert fresh.form_version == 2
    assert [u["code"] for u in ws.settings.get(state.ORG_UNITS_KEY)] == [A, "330106001001"]
    assert ws.records.get(kept.uuid).status == "accepted"
    returned = ws.records.get(back.uuid)
    assert returned.status == "returned" and returned.comment == "请核对会员人数"
    # a returned record is editable again, and the correction goes up as a new version
    fixed = ws.records.save("union", union_data(A, members=7), record_uuid=back.uuid)
    assert fixed.version == 2
    summary = link.sync_now(ws)
    assert summary.received == 2 and summary.inbox_applied >= 1  # receipts come down too
    assert (back.uuid, 2) in county.record_keys()
    # nothing is left in the county's inbox for this device
    assert _captured_inbox(ws) == []
    ws.close()


def test_a_wrong_or_mistyped_code_is_refused_before_any_key_is_registered(
    tmp_path: Path, county: HandleView
) -> None:
    ws = create_township(tmp_path, A)
    good = county.enroll_code(A)
    wrong_secret = "ABCDEFGHJK" + proto.normalise_enroll_code(good)[10:]
    with pytest.raises(link.LinkError) as err:
        link.enroll(ws, county.url, wrong_secret)
    assert err.value.code == "enroll_code_invalid"
    wrong_server = proto.normalise_enroll_code(good)[:10] + "ABCDEFGHJK"
    with pytest.raises(link.LinkError) as err:
        link.enroll(ws, county.url, wrong_server)
    assert err.value.code == "wrong_server"
    with pytest.raises(link.LinkError) as err:
        link.enroll(ws, county.url.replace("https", "http"), good)
    assert err.value.code == "bad_url"
    expired = county.handle.make_code(A, ttl_hours=-1)
    with pytest.raises(link.LinkError) as err:
        link.enroll(ws, county.url, expired)
    assert err.value.code == "enroll_code_expired" and "refused" in str(err.value)
    assert county.server.store.list_devices() == []
    assert state.load_enrollment(ws.settings) is None
    link.enroll(ws, county.url, good.lower())  # case and dashes do not matter
    assert len(county.server.store.list_devices()) == 1
    with pytest.raises(requests.exceptions.SSLError):
        requests.get(county.url + "/v1/info", timeout=5)  # the county CA is not a public one
    ws.close()
