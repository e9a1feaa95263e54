"""Make the data directories of the release before schema migrations (the upgrade test's fixture).

Run ONCE on that release (commit 3462d1e, 2026-12-06) and committed as generated; it cannot run on
later code (it uses that release's module paths), which is the point: the upgrade test must read
what the old program wrote, not what the new one would write.

    python -m tests.sync.upgrade_fixture.make_fixture OUT_DIR [--pg-url URL]

What it makes (everything through the real programs over HTTPS, as users would): a county with two
townships that synced grassroots-union records and a member, a membership transfer between them
(offer, answer, inbox messages), a review with one record returned and the rest accepted, one relay
run to the province, then more accepted records still waiting in the relay queue and the returned
record corrected and waiting for review. ``OUT_DIR/sqlite/{county,province}`` are SQLite data
directories; with ``--pg-url`` the same scenario runs with both servers on PostgreSQL and
``OUT_DIR/postgresql/{county,province}.sql`` are their plain ``pg_dump``s (the data directories
beside them hold keys and config). ``expected.json`` beside each lists what must survive.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from sqlalchemy import MetaData, create_engine, select, text


def run_scenario(root: Path, county_db: str = "", province_db: str = "") -> dict[str, Any]:
    from desktop import link
    from desktop.domain import transfer_offers, transfers
    from sync.server.config import init_data_dir
    from sync.server.domain.relay import relay_once
    from tests.rosters.conftest import resident_id
    from tests.sync.client_support import TOWNSHIPS, ThreadedServer, create_township, union_data
    from tests.sync.relay_support import Province, accept_all, link_county, reviewer_client

    A, B = "330106001", "330106002"
    province = Province(root, db_url=province_db)
    init_data_dir(root / "county", level="county", name="西湖区总工会", org_unit_code="330106",
                  db_url=county_db)  # fmt: skip
    county = ThreadedServer(root / "county", log_file=True)
    for code, name in TOWNSHIPS.items():
        county.server.store.add_org_unit(code, name, "330106", "township")
    link_county(county.server, province)

    ws_a, ws_b = create_township(root, A), create_township(root, B)
    link.enroll(ws_a, county.url, county.server.make_enroll_code(A))
    link.enroll(ws_b, county.url, county.server.make_enroll_code(B))
    union_a = ws_a.records.save("union", union_data(A, full_name="西溪甲公司工会委员会")).uuid
    union_b = ws_b.records.save("union", union_data(B, full_name="北山乙公司工会委员会")).uuid
    more_a = [ws_a.records.save("union", union_data(A)) for _ in range(3)]
    more_b = [ws_b.records.save("union", union_data(B)) for _ in range(2)]
    member = ws_a.records.save(
        "member",
        {"union": union_a, "name": "钱七", "id_number": resident_id(31), "mobile": "13600000000",
         "join_date": "2018-04-01", "changes": [{"kind": "join", "date": "2018-04-01"}]},
    ).uuid  # fmt: skip
    ws_a.records.save(
        "member",
        {"union": union_a, "name": "孙八", "id_number": resident_id(32), "mobile": "13600000001",
         "join_date": "2019-05-01", "changes": [{"kind": "join", "date": "2019-05-01"}]},
    )  # fmt: skip
    transfers.request_external_transfer(
        ws_a, member, to_union_name="北山乙公司工会", to_org_unit=B, date="2026-11-01",
        reason="工作调动",
    )  # fmt: skip
    link.sync_now(ws_a)
    link.sync_now(ws_b)
    [offer] = transfer_offers.incoming_offers(ws_b)
    transfer_offers.accept_offer(ws_b, offer.id, union_b, note="欢迎")
    link.sync_now(ws_b)
    link.sync_now(ws_a)

    reviewer = reviewer_client(county.url, county.server)
    returned = more_a[0]
    reviewer.decide("王审核", [{"record_uuid": returned.uuid, "version": returned.version,
                               "decision": "returned", "comment": "职工人数与花名册不符，请核实"}])  # fmt: skip
    accept_all(reviewer)
    relay_once(county.server)

    link.sync_now(ws_a)  # the township learns of the return
    ws_a.records.save("union", {**ws_a.records.get(returned.uuid).data, "employees": 99},
                      record_uuid=returned.uuid)  # fmt: skip
    late = [ws_b.records.save("union", union_data(B)) for _ in range(2)]
    link.sync_now(ws_a)
    link.sync_now(ws_b)
    accept_all_except = [r for r in reviewer.queue(status="pending", limit=1000)["records"]
                         if r["record_uuid"] != returned.uuid]  # fmt: skip
    reviewer.decide("王审核", [{"record_uuid": r["record_uuid"], "version": r["version"],
                               "decision": "accepted"} for r in accept_all_except])  # fmt: skip
    del more_b, late
    ws_a.close()
    ws_b.close()
    county.close()
    province.close()
    return {"county": _tables(county.server.store.engine.url.render_as_string(False)),
            "province": _tables(province.server.store.engine.url.render_as_string(False))}  # fmt: skip


def _tables(url: str) -> dict[str, Any]:
    """Row count and a digest-free listing of each table's key columns: what must survive."""
    engine = create_engine(url)
    meta = MetaData()
    meta.reflect(engine)
    out: dict[str, Any] = {}
    with engine.connect() as conn:
        for name, table in sorted(meta.tables.items()):
            rows = conn.execute(select(table)).mappings().all()
            out[name] = {"count": len(rows), "columns": sorted(c.name for c in table.columns)}
    engine.dispose()
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("out", type=Path)
    ap.add_argument("--pg-url", default="", help="an empty PostgreSQL server (superuser)")
    args = ap.parse_args(argv)
    import tempfile

    out: Path = args.out
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "sqlite"
        root.mkdir()
        expected = run_scenario(root)
        dest = out / "sqlite"
        dest.mkdir(parents=True, exist_ok=True)
        for level in ("county", "province"):
            shutil.copytree(root / level, dest / level, dirs_exist_ok=True)
        (dest / "expected.json").write_text(json.dumps(expected, ensure_ascii=False, indent=1))
        if args.pg_url:
            admin = create_engine(args.pg_url, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                for db in ("fixture_county", "fixture_province"):
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{db}"'))
                    conn.execute(text(f'CREATE DATABASE "{db}"'))
            admin.dispose()
            urls = {lvl: args.pg_url.replace("/postgres?", f"/fixture_{lvl}?")
                    for lvl in ("county", "province")}  # fmt: skip
            root = Path(tmp) / "pg"
            root.mkdir()
            expected = run_scenario(root, urls["county"], urls["province"])
            dest = out / "postgresql"
            dest.mkdir(parents=True, exist_ok=True)
            for level, url in urls.items():
                shutil.copytree(root / level, dest / level, dirs_exist_ok=True)
                config = json.loads((dest / level / "config.json").read_text())
                config["db_url"] = ""  # the test points it at its own database
                (dest / level / "config.json").write_text(json.dumps(config, ensure_ascii=False,
                                                                     indent=2))  # fmt: skip
                host = url.split("host=")[1].split("&")[0]
                port = url.split("port=")[1].split("&")[0]
                dump = subprocess.run(
                    ["pg_dump", "--no-owner", "--no-privileges", "-h", host, "-p", port,
                     "-U", "postgres", f"fixture_{level}"],
                    check=True, capture_output=True, text=True,
                ).stdout  # fmt: skip
                (dest / f"{level}.sql").write_text(dump)
            (dest / "expected.json").write_text(json.dumps(expected, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
