"""Rows validated once by the store's validator and handed to save_many: taken as they are only when
this workspace sealed them, for this form definition, today; anything else is validated again."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

import pytest

from desktop.store import Workspace
from desktop.store.validated import Validated
from tests.store import helpers as h
from tests.store.conftest import ADMIN_PW, FAST_KDF


@pytest.fixture
def union_uuid(ws):
    return ws.records.save("union", h.union()).uuid


def _bad_text(good: Validated) -> str:
    values = good.values()
    values["mobile"] = "12345"  # not a mobile number
    values["id_number"] = "330106199001010011"  # wrong check digit
    return json.dumps(values, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def test_sealed_rows_are_saved_with_the_normalised_values(ws, union_uuid):
    validate = ws.records.validator("member")
    raw = h.member(1, union_uuid, mobile="+86 139-0000-0001", id_number=h.resident_id(1).lower())
    result, sealed = validate(raw)
    assert result.ok and sealed is not None
    saved = ws.records.save_many("member", [sealed], status="draft")
    assert len(saved.saved) == 1 and not saved.failed
    stored = ws.records.get(saved.saved[0], unmask=True)
    assert stored.data == dict(result.values) and stored.status == "draft"
    assert stored.data["mobile"] == "13900000001" and stored.data["id_number"] == h.resident_id(1)
    # the same row saved the ordinary way stores exactly the same data
    other = ws.records.save_many("member", [h.member(2, union_uuid)])
    assert ws.records.get(other.saved[0], unmask=True).data == dict(
        validate(h.member(2, union_uuid))[0].values
    )
    assert ws.audit.verify().ok


def test_a_failing_row_gets_no_seal(ws, union_uuid):
    result, sealed = ws.records.validator("member")(h.member(1, union_uuid, mobile="12345"))
    assert not result.ok and sealed is None


@pytest.mark.parametrize("how", ["forged", "edited", "other_form", "yesterday"])
def test_rows_the_store_did_not_seal_as_they_are_are_validated_again(ws, union_uuid, how):
    _, good = ws.records.validator("member")(h.member(1, union_uuid))
    assert good is not None
    if how == "forged":  # made up outside the store, with a guessed tag
        row = Validated(good.form_id, good.form_hash, good.day, _bad_text(good), b"\0" * 16)
    elif how == "edited":  # a genuine seal whose text was changed afterwards
        row = good._replace(text=_bad_text(good))
    elif how == "other_form":  # sealed (with a valid tag) against another definition
        form = dataclasses.replace(ws.forms.latest("member"), hash="0" * 64)
        row = ws.records._sealer.seal(form, json.loads(_bad_text(good)), good.day)
    else:  # sealed yesterday: date rules may no longer hold
        yesterday = (dt.date.today() - dt.timedelta(days=1)).isoformat()
        form = ws.forms.latest("member")
        row = ws.records._sealer.seal(form, json.loads(_bad_text(good)), yesterday)
    result = ws.records.save_many("member", [row, good])
    assert [i for i, _ in result.failed] == [0] and len(result.saved) == 1
    fields = {e.field for e in result.failed[0][1].errors}
    assert {"mobile", "id_number"} <= fields
    assert ws.records.count("member") == 1


def test_a_seal_from_another_workspace_is_validated_again(ws, union_uuid, tmp_path: Path):
    other, _ = Workspace.create(
        tmp_path / "other", org_unit_code="330106002", admin_password=ADMIN_PW, kdf=FAST_KDF
    )
    try:
        _, good = other.records.validator("member")(h.member(1, union_uuid))
        assert good is not None
        form = other.forms.latest("member")
        bad = other.records._sealer.seal(form, json.loads(_bad_text(good)), good.day)
    finally:
        other.close(backup=False)
    result = ws.records.save_many("member", [bad, good])
    # the bad one is refused; the good one is still saved (after validating it here)
    assert [i for i, _ in result.failed] == [0] and len(result.saved) == 1


def test_sealed_rows_still_refuse_unique_values_already_saved(ws, union_uuid):
    ws.records.save("member", h.member(1, union_uuid))
    validate = ws.records.validator("member")
    rows = [validate(h.member(i, union_uuid))[1] for i in (1, 2, 2)]
    result = ws.records.save_many("member", rows)
    assert [(i, [e.code for e in r.errors]) for i, r in result.failed] == [
        (0, ["unique"]),
        (2, ["unique"]),
    ]
    assert ws.records.count("member") == 2
