"""Benchmark of the Dashboard's figures (not a test): the store's member counts vs. full scans.

    .venv/bin/python -m bench.bench_dashboard [--members 200000] [--keep]

Builds (once; reused with --keep) a workspace of demo members (bench_ui's), gives some of them an
exit (退会 / 除名) and some a transfer out still pending, then times in the same run:

- the member figures from the store's counts (``desktop.store.tally.member_figures``);
- everything the Dashboard computes when it opens (``desktop.ui.operations.pages.dashboard_figures``);
- baseline 1: the counts the Dashboard used to make — total, female, migrant, new employment form
  and one per union, each a query over the member records;
- baseline 2: the figures the slow and sure way — every member read and judged by
  ``is_current_member`` in Python (what the property test compares against).

It also times filling the counts from scratch (schema step 4 on an existing workspace). Target:
the Dashboard opens instantly (figures well under 100 ms) at 200k members.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.bench_ui import build_workspace

EXITS_EVERY = 97  # members with a withdraw / expel as their latest change
PENDING = 25  # members with a transfer out to another township still pending


def timed(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    """Median milliseconds over ``repeat`` runs, and the last result."""
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times), out


def add_exits(ws: Any) -> None:
    """Some exits and pending transfers, unless the kept workspace has them already."""
    from desktop.domain.transfers import pending_transfers, request_external_transfer

    if pending_transfers(ws):
        return
    members = ws.records.query("member", order_by="created_at", limit=EXITS_EVERY * 60)
    for k, rec in enumerate(members[::EXITS_EVERY]):
        full = ws.records.get(rec.uuid, unmask=True).data
        kind = "withdraw" if k % 3 else "expel"
        changes = [*(full.get("changes") or []), {"kind": kind, "date": "2026-01-05"}]
        ws.records.save("member", {**full, "changes": changes}, record_uuid=rec.uuid)
    for rec in members[1 : 1 + PENDING]:
        request_external_transfer(
            ws, rec.uuid, to_union_name="外镇某公司工会", to_org_unit="330106099", date="2026-02-01"
        )


def old_counts(ws: Any) -> dict[str, Any]:
    """What the Dashboard counted before (every record of the form, each figure a query)."""
    count = ws.records.count
    unions = ws.records.query("union", order_by="created_at", limit=500)
    return {
        "members": count("member"),
        "female": count("member", filters={"gender": "female"}),
        "migrant": count("member", filters={"migrant_worker": True}),
        "new_form": count("member", filters={"employment_form": "new_form"}),
        "by_union": {u.uuid: count("member", filters={"union": u.uuid}) for u in unions},
    }


def python_scan(ws: Any) -> dict[str, Any]:
    """Every member judged in Python under the is_current_member rules."""
    import json

    from desktop.domain.transfers import is_current_member, pending_member_uuids

    pending = pending_member_uuids(ws)
    out: dict[str, Any] = {"members": 0, "female": 0, "migrant": 0, "new_form": 0}
    by_union: Counter[str] = Counter()
    for uuid, text in ws._connection().execute(
        "SELECT uuid, data FROM records WHERE form_id = 'member'"
    ):
        data = json.loads(text)
        if not is_current_member(data, pending, uuid):
            continue
        out["members"] += 1
        out["female"] += data.get("gender") == "female"
        out["migrant"] += data.get("migrant_worker") is True
        out["new_form"] += data.get("employment_form") == "new_form"
        by_union[str(data.get("union") or "")] += 1
    out["by_union"] = dict(by_union)
    return out


def refill_seconds(ws: Any) -> float:
    """Schema step 4 run again from scratch (drop the counts, fill them from the records)."""
    from desktop.store import db, tally

    conn = ws._connection()
    t = time.perf_counter()
    with db.transaction(conn, "refilling the member counts"):
        for name in ("member_tally_insert", "member_tally_update", "member_tally_delete"):
            conn.execute(f"DROP TRIGGER {name}")
        conn.execute("DROP TABLE member_tally")
        for statement in tally.SCHEMA:
            conn.execute(statement)
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--members", type=int, default=200_000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--keep", action="store_true", help="keep (and reuse) the workspace")
    ap.add_argument("--smoke", action="store_true", help="tiny sizes, a few seconds")
    args = ap.parse_args()
    if args.smoke:
        args.members, args.repeat = 300, 2

    from desktop.store.tally import member_figures
    from desktop.ui.operations.pages import dashboard_figures

    folder = Path(tempfile.gettempdir()) / f"uniondesk-bench-dashboard-{args.members}"
    print(f"UnionDesk dashboard benchmark: {args.members:,} members ({folder})")
    ws = build_workspace(folder, args.members)
    try:
        add_exits(ws)
        n = ws.records.count("member")
        tally_ms, figures = timed(lambda: member_figures(ws), args.repeat)
        page_ms, _ = timed(lambda: dashboard_figures(ws), args.repeat)
        old_ms, old = timed(lambda: old_counts(ws), max(1, args.repeat // 2))
        scan_ms, scan = timed(lambda: python_scan(ws), 1)
        refill_s = refill_seconds(ws)
        again = member_figures(ws)
    finally:
        ws.close(backup=False)
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
    got = {
        "members": figures.members,
        "female": figures.female,
        "migrant": figures.migrant,
        "new_form": figures.new_form,
        "by_union": {u: c for u, c in figures.by_union.items() if c},
    }
    print(f"member records: {n:,}; current members: {figures.members:,} ", end="")
    print(
        f"(female {figures.female:,}, migrant {figures.migrant:,}, new form {figures.new_form:,})"
    )
    print(f"member figures from the store's counts: {tally_ms:9.2f} ms (median of {args.repeat})")
    print(f"whole Dashboard compute:                {page_ms:9.2f} ms")
    print(f"baseline 1, the old per-figure queries: {old_ms:9.2f} ms  ({old_ms / tally_ms:,.0f}x)")
    print(
        f"baseline 2, full scan in Python:        {scan_ms:9.2f} ms  ({scan_ms / tally_ms:,.0f}x)"
    )
    print(f"filling the counts from scratch (schema step 4): {refill_s:.2f} s")
    print(
        f"old queries counted {old['members'] - figures.members:,} former members"
        " (exits, confirmed transfers) as members"
    )
    same = got == scan and again == figures
    print("counts equal the full scan (and a refill):", "yes" if same else "NO")
    if not same:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
