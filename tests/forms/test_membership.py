"""forms.membership: who counts as a current member (one rule for township and province)."""

from __future__ import annotations

from forms import membership


def test_latest_change_decides() -> None:
    join = {"kind": "join", "date": "2018-04-01"}
    assert membership.counts(None, False) and membership.counts([join], False)
    for kind in ("withdraw", "expel"):
        left = [join, {"kind": kind, "date": "2025-01-01"}]
        assert not membership.counts(left, False) and not membership.counts(left, True)
    out = [join, {"kind": "transfer_out", "date": "2026-11-01"}]
    assert membership.counts(out, transfer_pending=True)
    assert not membership.counts(out, transfer_pending=False)
    assert membership.transfer_out_date(out) == "2026-11-01"
    # by date, not by position: a re-join after leaving counts; an older exit typed later does not
    back = [{"kind": "withdraw", "date": "2020-01-01"}, {"kind": "join", "date": "2022-01-01"}]
    assert membership.counts(back, False) and membership.latest_kind(back) == "join"
    late_typed = [join, {"kind": "transfer_in", "date": "2024-01-01"}]
    late_typed.append({"kind": "withdraw", "date": "2019-01-01"})
    assert membership.counts(late_typed, False)
    # same date: the later row wins; rows that are not objects are ignored
    same = [{"kind": "withdraw", "date": "2024-01-01"}, "x", {"kind": "join", "date": "2024-01-01"}]
    assert membership.counts(same, False) and membership.transfer_out_date(same) is None
