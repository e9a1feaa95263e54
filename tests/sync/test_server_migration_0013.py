"""Revision 0013 (issue 20): a county database at revision 0012 whose relay queue holds sealed
items migrates forward; the queued items are relayed as they were, the records accepted after the
upgrade (queued without an item, built at relay time) go with them in queue order, the province
gets every record once, and the schema is ``tables.py``'s. SQLite and PostgreSQL counties.

The 0012 database: the county accepts records, then revision 0013's downgrade seals every queued
item as the accept before 0013 sealed it (``review.relay_item`` in canonical JSON, the
``relay_item`` document kind) and makes the column NOT NULL again."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect, select, text

from sync import crypto
from sync.server import migrate
from sync.server.config import init_data_dir, load_data_dir
from sync.server.domain import review
from sync.server.domain.ingest import ingest
from sync.server.domain.relay import RelayOutbox, relay_once
from sync.server.domain.service import Server
from sync.server.sensitive import is_sealed_doc
from sync.server.tables import metadata, relay_items
from tests.sync.relay_support import Province, enroll_device, link_county
from tests.sync.test_server_postgres import fresh_database, postgres_url  # noqa: F401  (throwaway cluster)

TOWN = "330106001"


def _union(n: int) -> dict[str, Any]:
    return {"uuid": str(uuid.uuid4()), "form_id": "union", "form_version": 1, "version": 1,
            "org_unit": TOWN, "status": "ready",
            "data": {"full_name": f"示例公司{n}工会委员会", "union_type": "independent",
                     "status": "active", "founded_date": "2020-01-02",
                     "employer_name": f"示例公司{n}", "employer_nature": "enterprise_domestic",
                     "division_code": "330106", "employees": 20 + n, "members": 15},
            "created_by": "clerk", "created_at": "2026-11-23T00:00:00Z",
            "updated_by": "clerk", "updated_at": "2026-11-23T00:00:00Z"}  # fmt: skip


class County:
    def __init__(self, root: Path, db_url: str) -> None:
        self.data = root / "county"
        init_data_dir(self.data, level="county", name="西湖区总工会", org_unit_code="330106",
                      db_url=db_url)  # fmt: skip
        self.server = Server(load_data_dir(self.data))
        self.server.store.add_org_unit(TOWN, "西溪街道总工会", "330106", "township")
        self.key, self.township = enroll_device(self.server, TOWN, "township")
        self.reviewer = self.server.store.device(
            enroll_device(self.server, "330106", "reviewer")[1]
        )
        self.seq = 0

    def accept(self, count: int) -> list[str]:
        """A township batch of ``count`` records through the real ingest, all accepted."""
        self.seq += 1
        recs = [_union(n) for n in range(count)]
        env = crypto.seal_batch(
            device_key=self.key, device_id=self.township, batch_id=str(uuid.uuid4()),
            device_seq=self.seq, records=recs, audit_head="0" * 64,
            recipient_public=self.server.hpke_public,
        )  # fmt: skip
        ingest(self.server, env.to_json())
        decisions = [{"record_uuid": r["uuid"], "version": 1, "decision": "accepted"} for r in recs]
        doc = {"type": "review_decisions", "reviewer": "王审核", "decisions": decisions}
        results = review.decide(self.server, self.reviewer, doc)["results"]
        assert [r["result"] for r in results] == ["ok"] * count
        return [r["uuid"] for r in recs]

    def items(self, uuids: list[str]) -> list[Any]:
        outbox = RelayOutbox(self.server)
        return [outbox.queued_item(u, 1) for u in uuids]

    def reopen(self) -> None:
        self.server.store.close()
        self.server = Server(load_data_dir(self.data))


def _to_0012(county: County) -> None:
    """Back to revision 0012 as its accept left the queue: every queued item sealed."""
    with county.server.store.engine.connect() as conn:
        cfg = migrate._config(conn)
        cfg.attributes["sealer"] = county.server.sealer
        command.downgrade(cfg, "0012")
        if conn.in_transaction():
            conn.commit()
    with county.server.store.engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0012"
        column = next(c for c in inspect(conn).get_columns("relay_items") if c["name"] == "item")
        assert column["nullable"] is False
        stored = conn.execute(select(relay_items.c.item)).scalars().all()
        assert stored and all(is_sealed_doc(v) for v in stored)
    county.server.store.close()


def _check(root: Path, db_url: str) -> None:
    province = Province(root)
    try:
        county = County(root, db_url)
        link_county(county.server, province)
        first = county.accept(6)
        built = county.items(first)  # built at relay time from the stored versions
        assert all(i is not None and "township_batch_id" in i for i in built)
        _to_0012(county)

        engine = create_engine(db_url or f"sqlite:///{county.data / 'server.db'}")
        before, applied = migrate.upgrade(engine)
        assert (before.current, applied) == ("0012", ["0013"])
        with engine.connect() as conn:
            diff = compare_metadata(
                MigrationContext.configure(conn, opts={"compare_type": True}), metadata
            )
            assert diff == []
        engine.dispose()

        county.reopen()
        assert county.items(first) == built  # opened from the sealed rows: the same items
        later = county.accept(4)  # queued without an item now
        with county.server.store.read() as conn:
            kept = dict(conn.execute(select(relay_items.c.record_uuid, relay_items.c.item)).all())
        assert all(is_sealed_doc(kept[u]) for u in first)
        assert all(kept[u] is None for u in later)

        summary = relay_once(county.server)
        assert (summary.received, summary.rejected, summary.pending_left) == (10, 0, 0)
        assert RelayOutbox(county.server).backlog()["delivered"] == 10
        assert relay_once(county.server).records_sent == 0  # nothing twice
        with province.server.store.read() as conn:
            got = set(conn.execute(text("SELECT record_uuid FROM provenance")).scalars())
            assert got == set(first + later)
            assert conn.execute(text("SELECT count(*) FROM records")).scalar() == 10
        county.server.store.close()
    finally:
        province.close()


def test_a_sqlite_county_at_0012_migrates_to_0013_and_relays_its_queue(tmp_path: Path) -> None:
    _check(tmp_path, "")


def test_a_postgresql_county_at_0012_migrates_to_0013_and_relays_its_queue(
    tmp_path: Path,
    postgres_url: str,  # noqa: F811
) -> None:
    url = fresh_database(postgres_url, "mig0013")
    _check(tmp_path, url)
