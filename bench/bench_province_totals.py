"""The province's aggregates (``GET /v1/aggregates``, ``uniondesk-server aggregates``) at 10
million records (issue 20): read from the kept totals (``province_totals``, a row per county,
township and form) against the baseline measured in the same run, interleaved: the ``GROUP BY``
over every record's ``province_facts`` that ``aggregates`` ran before (``scan=True``).

    .venv/bin/python -m bench.bench_province_totals [--records 10278000] [--keep]

Starts a throwaway PostgreSQL cluster (Debian's postgresql, as the ``postgres`` user when run as
root; bench_province_scale's settings: ``fsync=off``, ``shared_buffers`` 1 GB) with a real
provincial server's database (13 counties × 20 townships in its org-unit tree, for the names);
``province_facts`` is filled by bench_province_scale's set-based SQL (``INSERT … SELECT … FROM
generate_series``, chunks of 1M, key built after; members, a union per 50, an assessment per 200
and a checklist per 500), then ``province_totals`` is made from it as revision 0012 makes it
(``province_totals.refill``, timed), then ``VACUUM ANALYZE``. Timed, best of 3 each, the two
ways interleaved: ``aggregates --by county|township|form``; the outputs must be equal. Also
timed: keeping the totals for one relay batch (``province_totals.apply`` of 1,000 new records'
facts and 100 replaced ones, in a transaction), the cost every ingest now pays.

Measured on the shared 2-core machine (2026-12-07, revision 0012, ``--records 10278000`` =
bench_province_scale's 10M members plus unions, assessments and checklists; load 4.4-5.4 from
other work): fill 100 s (key included); ``province_totals`` made from the facts (revision 0012's
``INSERT … SELECT … GROUP BY``) 416 rows in 5.64 s. Aggregates from the totals, best of 3: by
county 8.1 ms, township 12.2 ms, form 1.3 ms (target <= 5 s); the baseline in the same run, the
``GROUP BY`` over ``province_facts`` (what ``aggregates`` ran before): 2.18 / 2.49 / 1.96 s
(bench_province_scale measured it at 5.17 / 5.13 / 4.96 s in its 22 GB province, with colder
pages) — 200-1,500x; same output. Keeping the totals for one relay batch of 1,000 new and 100
replaced records: 24 ms (first 33 ms), against ~1 s of the province's own CPU per 1,000
relayed records (bench_province_scale: ``serve`` 5.3 s for 5,000).

Again right after, on the kept fill (``--keep``), load 0.6-1.1: totals made in 2.86 s; from the totals
3.6 / 6.5 / 1.6 ms, the baseline 1.32 / 1.30 / 1.34 s (200-850x), same output; one relay
batch's upkeep 12.8 ms (first 17.3 ms).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

from bench.bench_province_scale import (
    CHUNK,
    COUNTIES,
    LARGE,
    TOWNSHIPS,
    _county_code,
    _database,
    _fill_sql,
    _load,
    make_province,
)

#: bench_province_scale's generated row sizes do not matter here (only province_facts is filled)
SIZES = {"member": 64, "other": 64, "acceptance": 64, "header": 64, "fields": ["id_number"]}


def fill(db_url: str, total: int) -> None:
    sql = dict(_fill_sql(SIZES, total))["province_facts"]
    engine = create_engine(db_url)
    t_all = time.perf_counter()
    with engine.begin() as conn:
        conn.execute(text("ALTER TABLE province_facts DROP CONSTRAINT province_facts_pkey"))
    for lo in range(1, total + 1, CHUNK):
        hi = min(total, lo + CHUNK - 1)
        with engine.begin() as conn:
            conn.execute(text("SET LOCAL synchronous_commit = off"))
            conn.execute(text(sql), {"lo": lo, "hi": hi})
        print(f"fill: {hi:,} of {total:,} fact rows after {time.perf_counter() - t_all:.0f} s "
              f"({_load()})", flush=True)  # fmt: skip
    with engine.begin() as conn:
        conn.execute(text("SET LOCAL maintenance_work_mem = '512MB'"))
        conn.execute(text("ALTER TABLE province_facts ADD PRIMARY KEY (record_uuid)"))
    print(f"fill: {total:,} fact rows and their key in {time.perf_counter() - t_all:.0f} s")
    engine.dispose()


def make_totals(db_url: str) -> None:
    from sync.server.domain import province_totals

    engine = create_engine(db_url)
    t0 = time.perf_counter()
    with engine.begin() as conn:
        province_totals.refill(conn)
    made = time.perf_counter() - t0
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))
        rows = conn.execute(text("SELECT count(*) FROM province_totals")).scalar()
    engine.dispose()
    print(f"province_totals made from province_facts (as revision 0012 does): {rows:,} rows in "
          f"{made:.2f} s; {_load()}")  # fmt: skip


def _best(fn: Callable[[], Any], times: int = 3) -> tuple[float, float, Any]:
    walls, result = [], None
    for _ in range(times):
        t0 = time.perf_counter()
        result = fn()
        walls.append(time.perf_counter() - t0)
    return min(walls), walls[0], result


def timed_aggregates(prov: Path) -> None:
    from sync.server.config import load_data_dir
    from sync.server.domain import province
    from sync.server.domain.service import Server

    server = Server(load_data_dir(prov))
    try:
        for by in ("county", "township", "form"):
            kept, kept_first, out = _best(lambda by=by: province.aggregates(server.store, by))
            scan, scan_first, ref = _best(
                lambda by=by: province.aggregates(server.store, by, scan=True)
            )
            assert out == ref, f"aggregates by {by}: the totals and the scan disagree"
            total = sum(r["records"] for r in out)
            print(
                f"aggregates --by {by:<8}: {len(out):>4} groups over {total:,} records; from the "
                f"totals best {kept * 1000:.1f} ms of 3 (first {kept_first * 1000:.1f} ms; target "
                f"<= 5 s: {'within' if kept <= 5 else 'OVER'}); baseline, the GROUP BY over "
                f"province_facts, best {scan:.2f} s (first {scan_first:.2f} s) = "
                f"{scan / kept:,.0f}x; same output; {_load()}"
            )
    finally:
        server.store.close()


def timed_apply(db_url: str) -> None:
    """One relay batch's upkeep of the totals (rolled back: the figures above stay)."""
    from sync.server.domain import province_totals
    from sync.server.tables import FACT_COLUMNS

    rng = random.Random(7)

    def row() -> dict[str, Any]:
        county = _county_code(rng.randint(1, COUNTIES))
        return {"county": county, "township": f"{county}{rng.randint(1, TOWNSHIPS):03d}",
                "form_id": "member", **{n: rng.randint(0, 1) for n in FACT_COLUMNS}}  # fmt: skip

    engine = create_engine(db_url)
    times = []
    for _ in range(5):
        new, old = [row() for _ in range(1000)], [row() for _ in range(100)]
        with engine.connect() as conn:
            t0 = time.perf_counter()
            province_totals.apply(conn, old, new)
            times.append(time.perf_counter() - t0)
            conn.rollback()
    engine.dispose()
    print(f"totals kept for one relay batch (1,000 new records, 100 replaced; rolled back): "
          f"best {min(times) * 1000:.1f} ms of 5 (first {times[0] * 1000:.1f} ms); {_load()}")  # fmt: skip


def main() -> None:
    from bench.bench_relay import cluster_folder, start_postgres

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--records", type=int, default=10_278_000, help="fact rows (records)")
    ap.add_argument("--keep", action="store_true", help="keep (and reuse) the cluster")
    ap.add_argument("--smoke", action="store_true", help="tiny sizes, a few seconds")
    args = ap.parse_args()
    if args.smoke:
        args.records = 5000
    print(f"{_load()}; {os.cpu_count()} cores")
    base = cluster_folder(f"totals-{args.records}", args.keep)
    url, stop = start_postgres(base / "pg", "" if args.smoke else LARGE)
    try:
        prov, done = base / "province", base / "filled"
        db_url = _database(url, "prov_totals", fresh=not done.exists())
        if not done.exists():
            shutil.rmtree(prov, ignore_errors=True)
            make_province(prov, db_url)
            fill(db_url, args.records)
            done.touch()
        else:  # a kept cluster starts on another port: the province's config follows it
            config = prov / "config.json"
            config.write_text(json.dumps({**json.loads(config.read_text()), "db_url": db_url}))
        make_totals(db_url)
        timed_aggregates(prov)
        timed_apply(db_url)
    finally:
        stop()
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
