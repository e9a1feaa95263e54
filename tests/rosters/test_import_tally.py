"""The dashboard's member counts (``member_tally``) after a large import, which counts its new
members once per batch (schema step 10) instead of row by row: right after a whole import, after
one cancelled halfway, after one that failed halfway (rolled back with its counts), and single
saves afterwards are still counted by the trigger."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop.domain import member_import as ei
from desktop.store import Workspace, tally
from desktop.store.tally import member_figures
from tests.rosters.conftest import HEADERS, member_row, write_xlsx


def _state(ws: Workspace) -> tuple[int, int, list[str], int]:
    """(members counted, female counted, drift problems, deferred ranges left)."""
    conn = ws._connection()
    figures = member_figures(ws)
    left = conn.execute("SELECT count(*) FROM member_tally_deferred").fetchone()[0]
    return figures.members, figures.female, tally.drift(conn), left


def _female(ws: Workspace) -> int:
    return sum(1 for r in ws.records.query("member") if r.data.get("gender") == "female")


def _plan(tmp_path: Path, ws: Workspace, union: str, n: int) -> ei.ImportPlan:
    path = write_xlsx(tmp_path / "big.xlsx", HEADERS, [member_row(i) for i in range(n)])
    plan = ei.preview_import(ws, ei.open_member_sheet(path, ws), union)
    assert plan.good_count == n
    return plan


def test_a_whole_import_is_counted(tmp_path: Path, ws: Workspace, union: str) -> None:
    outcome = ei.commit_import(ws, _plan(tmp_path, ws, union, 1300))
    assert outcome.created == 1300
    assert _state(ws) == (1300, _female(ws), [], 0)
    assert 0 < _female(ws) < 1300


def test_a_cancelled_import_counts_what_it_wrote(tmp_path: Path, ws: Workspace, union: str) -> None:
    plan = _plan(tmp_path, ws, union, 1300)
    done: list[int] = []
    outcome = ei.commit_import(
        ws, plan, progress=lambda d, t: done.append(d), cancel=lambda: bool(done)
    )
    assert outcome.cancelled and outcome.created == 1000
    assert _state(ws) == (1000, _female(ws), [], 0)
    rest = ei.commit_import(
        ws, ei.preview_import(ws, ei.open_member_sheet(plan.source.path, ws), union)
    )
    assert rest.created == 300
    assert _state(ws) == (1300, _female(ws), [], 0)


def test_an_import_failing_halfway_leaves_the_counts_as_they_were(
    tmp_path: Path, ws: Workspace, union: str
) -> None:
    ws.records.save("member", {**_one(ws, union)})
    before = _state(ws)
    assert before[0] == 1 and before[2:] == ([], 0)
    plan = _plan(tmp_path, ws, union, 1300)

    def fail(done: int, total: int) -> None:
        if done > 1000:  # the second chunk is written, not yet committed
            raise RuntimeError("power cut")

    with pytest.raises(RuntimeError):
        ei.commit_import(ws, plan, progress=fail)
    assert ws.records.count("member") == 1  # the import's transaction was rolled back
    assert _state(ws) == before


def test_a_failure_between_insert_and_count_rolls_both_back(
    tmp_path: Path, ws: Workspace, union: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = _plan(tmp_path, ws, union, 300)

    def broken(conn: object, lo: int, hi: int) -> None:
        raise RuntimeError("disk gone")

    with monkeypatch.context() as m:
        m.setattr(tally, "count_range", broken)
        with pytest.raises(RuntimeError):
            ei.commit_import(ws, plan)
    assert ws.records.count("member") == 0
    assert _state(ws) == (0, 0, [], 0)
    # single saves afterwards are counted by the trigger again, and the import then works
    ws.records.save("member", _one(ws, union))
    assert _state(ws)[0] == 1 and _state(ws)[2:] == ([], 0)
    again = ei.preview_import(ws, ei.open_member_sheet(plan.source.path, ws), union)
    assert ei.commit_import(ws, again).created == 300
    assert _state(ws) == (301, _female(ws), [], 0)


def _one(ws: Workspace, union: str) -> dict[str, object]:
    from tests.rosters.conftest import resident_id

    return {
        "union": union,
        "name": "单独录入",
        "gender": "female",
        "id_number": resident_id(998, birth="19880808"),
        "ethnicity": "han",
        "join_date": "2021-01-01",
    }
