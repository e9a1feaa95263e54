"""Schema migrations (Alembic): a county and a province made by the release before migrations
(committed fixture: SQLite data directories and PostgreSQL dumps) are refused by ``serve`` until
``uniondesk-server upgrade`` brings them forward, with every batch, record, review, relay item and
provenance row intact, and the upgraded county goes on relaying to the upgraded province."""

from __future__ import annotations

import json
import os
import shutil
import socket
import sqlite3
import stat
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import MetaData, create_engine, select, text

from sync.protocol import canonical_json
from sync.server import migrate
from sync.server.backup import read_backup
from sync.server.cli import main as server_main
from sync.server.config import load_data_dir
from sync.server.domain import audit_log, health, member_counts, province_totals
from sync.server.domain.personal import Sealer
from sync.server.domain.provenance import verify_record
from sync.server.domain.relay import RelayOutbox, relay_once
from sync.server.domain.service import Server
from sync.server.permissions import make_private
from sync.server.sensitive import is_sealed_doc
from sync.server.tables import metadata
from tests.sync.client_support import ThreadedServer
from tests.sync.test_server_postgres import postgres_url  # noqa: F401  (throwaway cluster)

FIXTURE = Path(__file__).with_name("upgrade_fixture") / "release_2026_12"
LEVELS = ("county", "province")


def _copy(kind: str, tmp_path: Path) -> dict[str, Path]:
    """The fixture's data directories, copied and made private again (git keeps no 0600)."""
    out = {}
    for level in LEVELS:
        dest = tmp_path / kind / level
        shutil.copytree(FIXTURE / kind / level, dest)
        make_private(dest)
        out[level] = dest
    return out


# added after the fixture's release (empty there; inbox_kinds: checked on its own)
NEW_COLUMNS = {("devices", "permissions"), ("devices", "inbox_kinds")}
# (table, column) sealed at rest -> (document kind, its id from the row); records: value tokens
SEALED: dict[tuple[str, str], tuple[str, Callable[[Any], str]]] = {
    ("inbox", "message"): ("inbox", lambda r: r["msg_id"]),
    ("batches", "receipt"): ("receipt", lambda r: r["batch_id"]),
    ("transfers", "offer"): ("transfer_offer", lambda r: r["transfer_id"]),
    ("relay_items", "item"): ("relay_item", lambda r: f"{r['record_uuid']}|{r['version']}"),
    ("relay_items", "errors"): ("relay_errors", lambda r: f"{r['record_uuid']}|{r['version']}"),
    ("relay_batches", "receipt"): ("relay_receipt", lambda r: r["batch_id"]),
}


def _opened(table: str, row: dict[str, Any], sealer: Sealer) -> dict[str, Any]:
    """A row with its sealed values opened: what it held before the upgrade sealed them."""
    out = dict(row)
    for column, value in row.items():
        if table == "records" and column == "content":
            out[column] = canonical_json(sealer.open_content(value)).decode("utf-8")
        elif (table, column) in SEALED and value is not None:
            assert is_sealed_doc(bytes(value) if isinstance(value, memoryview) else value)
            kind, ident = SEALED[(table, column)]
            plain = sealer.open_doc(kind, ident(row), value)
            out[column] = plain if isinstance(value, bytes | memoryview) else plain.decode()
    return out


def _rows(url: str, sealer: Sealer | None = None) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every UnionDesk table, sorted: what an upgrade must keep (sealed values
    opened with ``sealer``: the upgrade seals them)."""
    engine = create_engine(url)
    reflected = MetaData()
    reflected.reflect(engine)
    out = {}
    with engine.connect() as conn:
        for name, table in sorted(reflected.tables.items()):
            if name == "alembic_version":
                continue
            cols = sorted(table.columns, key=lambda c: c.name)
            cols = [c for c in cols if (name, c.name) not in NEW_COLUMNS]
            rows = [dict(r._mapping) for r in conn.execute(select(*cols))]
            if sealer is not None:
                rows = [_opened(name, r, sealer) for r in rows]
            out[name] = sorted((tuple(bytes(v) if isinstance(v, memoryview) else v
                                      for v in r.values()) for r in rows), key=repr)  # fmt: skip
    engine.dispose()
    return out


def _declared_kinds(url: str) -> set[Any]:
    engine = create_engine(url)
    with engine.connect() as conn:
        kinds = {r[0] for r in conn.execute(text("SELECT inbox_kinds FROM devices"))}
    engine.dispose()
    return kinds


def _stat_facts(url: str) -> list[Any]:
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = list(conn.execute(text("SELECT record_uuid, source, county FROM stat_facts")))
    engine.dispose()
    return rows


def _accepted_counted(url: str, level: str) -> set[str]:
    """The records a statistics table counts: at the county those a reviewer accepted, at the
    province those relayed (each accepted by its county)."""
    join = (
        "JOIN provenance p ON p.record_uuid = r.record_uuid AND p.version = r.version"
        if level == "province"
        else "JOIN reviews v ON v.record_uuid = r.record_uuid AND v.version = r.version "
        "AND v.decision = 'accepted'"
    )
    forms = "'union', 'member', 'assessment', 'audit_checklist', 'audit_rectification'"
    engine = create_engine(url)
    with engine.connect() as conn:
        found = conn.execute(
            text(
                f"SELECT DISTINCT r.record_uuid FROM records r {join} WHERE r.form_id IN ({forms})"
            )
        )
        out = {r[0] for r in found}
    engine.dispose()
    return out


def _schema_diff(url: str) -> list[Any]:
    """What differs between the database's schema and ``tables.py`` (empty: identical)."""
    engine = create_engine(url)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}),
                                metadata)  # fmt: skip
    engine.dispose()
    return diff


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    umask = os.umask(0o022)
    os.umask(umask)
    try:
        code = server_main(list(argv))
    finally:
        os.umask(umask)  # serve makes the process umask private
    out = capsys.readouterr()
    return code, out.out, out.err


def _free_port() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return str(s.getsockname()[1])


def _url(data: Path) -> str:
    """The database of a data directory (read from config.json: before the upgrade there is
    no keyring to load the directory with)."""
    config = json.loads((data / "config.json").read_text(encoding="utf-8"))
    return config.get("db_url") or f"sqlite:///{data / 'server.db'}"


def _no_plaintext_left(data: Path, before: dict[str, Any]) -> None:
    """No ID number or phone of the fixture's records is left in the SQLite file or its WAL
    (the upgrade seals them and compacts), nor in the pre-upgrade backup."""
    values = set()
    for row in before["records"]:
        for v in row:
            if isinstance(v, str) and v.startswith("{"):
                data_ = json.loads(v).get("data", {})
                values |= {data_.get(f) for f in ("id_number", "mobile", "phone")} - {None, ""}
    assert values, "the fixture has members with ID numbers and phones"
    files = [p for p in data.rglob("*") if p.is_file()]
    for path in files:
        blob = path.read_bytes()
        found = [v for v in values if v.encode() in blob]
        assert not found, f"{path.relative_to(data)} holds {len(found)} plaintext values"


def _check_upgraded(
    dirs: dict[str, Path], before: dict[str, Any], expected: dict[str, Any]
) -> None:
    """After ``upgrade``: the head revision, the schema of tables.py, every row kept (the old
    schema marker excepted), the counts the fixture's release wrote, provenance still provable;
    the audit log holds the upgrade itself and nothing else."""
    for level in LEVELS:
        url = _url(dirs[level])
        assert _schema_diff(url) == [], level
        engine = create_engine(url)
        with engine.connect() as conn:
            logged = audit_log.entries(conn)
            assert audit_log.verify(conn) == [], level
        engine.dispose()
        assert [(e.actor, e.action, e.detail) for e in logged] == [
            ("admin", "schema_upgraded", {"from": "0001", "to": migrate.head()})
        ], level
        server = Server(load_data_dir(dirs[level]))
        after = _rows(url, server.sealer)
        server.store.close()
        assert after.pop("sensitive_index"), level  # the fixture's ID numbers and phones
        # revision 0007 filled the statistics facts from the accepted records already held
        after.pop("stat_facts")
        stat_uuids = {r[0] for r in _stat_facts(url)}
        assert stat_uuids == _accepted_counted(url, level), level
        # and 0011 counted its members rows into member_counts
        assert after.pop("member_counts"), level
        engine = create_engine(url)
        with engine.connect() as conn:
            assert member_counts.differences(conn) == {}, level
        engine.dispose()
        _no_plaintext_left(dirs[level], before[level])
        after.pop("audit_log")
        assert after.pop("device_keys") == [], level  # 0006: nothing re-keyed before it
        # 0008: devices from before have no known server key yet (a suite move fills it in)
        assert {r[-1] for r in after["devices"]} == {None}, level
        after["devices"] = [r[:-1] for r in after["devices"]]
        # 0009: nor declared inbox kinds (they get one review_decision message per record)
        assert _declared_kinds(url) == {None}, level
        after["meta"] = [r for r in after["meta"] if r[0] != audit_log.HEAD_KEY]
        # 0012: the aggregate totals, made from the facts held (none at a county)
        totals = after.pop("province_totals")
        engine = create_engine(url)
        with engine.connect() as conn:
            assert province_totals.stored(conn) == province_totals.recount(conn), level
        engine.dispose()
        assert bool(totals) == bool(after.get("province_facts")), level
        old = dict(before[level])
        old["meta"] = [r for r in old["meta"] if r[0] != "schema"]
        assert after == old, level
        counts = {name: len(rows) for name, rows in after.items()}
        want = {name: t["count"] for name, t in expected[level].items()}
        want["meta"] -= 1  # the schema marker went into alembic_version
        assert counts == want, level
    county = Server(load_data_dir(dirs["county"]))
    province = Server(load_data_dir(dirs["province"]))
    try:
        backlog = RelayOutbox(county).backlog()
        assert (backlog["delivered"], backlog["pending"], backlog["sealed"]) == (11, 2, 0)
        with province.store.read() as conn:
            uuids = [r[0] for r in conn.execute(text("SELECT record_uuid FROM provenance"))]
        assert len(uuids) == 11
        for uuid in uuids:
            report = verify_record(province, uuid)
            assert report.ok, report.lines
        doc = health.report(county)
        assert doc["schema"] == {"revision": migrate.head(), "head": migrate.head(),
                                 "state": "current"}  # fmt: skip
        assert "schema_mismatch" not in doc["problems"]
    finally:
        county.store.close()
        province.store.close()


def _relay_the_rest(dirs: dict[str, Path]) -> None:
    """The upgraded county sends the two records it had queued to the upgraded province."""
    province = ThreadedServer(dirs["province"])
    try:
        link_path = dirs["county"] / "relay.json"
        link = json.loads(link_path.read_text(encoding="utf-8"))
        link["province_url"] = province.url  # the fixture's province listened on another port
        link_path.write_text(json.dumps(link, ensure_ascii=False), encoding="utf-8")
        county = Server(load_data_dir(dirs["county"]))
        try:
            summary = relay_once(county)
            assert (summary.received, summary.rejected, summary.pending_left) == (2, 0, 0)
            assert RelayOutbox(county).backlog()["delivered"] == 13
        finally:
            county.store.close()
        with province.server.store.read() as conn:
            assert conn.execute(text("SELECT count(*) FROM provenance")).scalar() == 13
            assert conn.execute(text("SELECT count(*) FROM records")).scalar() == 13
    finally:
        province.stop()
        province.server.store.close()


def test_serve_and_status_refuse_the_old_database_and_name_the_upgrade_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dirs = _copy("sqlite", tmp_path)
    db = dirs["county"] / "server.db"
    before = db.read_bytes()
    for argv in (["serve", "--data", str(dirs["county"]), "--port", _free_port()],
                 ["status", "--data", str(dirs["county"])],
                 ["batches", "--data", str(dirs["province"])]):  # fmt: skip
        code, out, err = _run(capsys, *argv)
        assert code == 2, argv
        assert "made by the release before" in err  # schema migrations, field encryption
        assert f"uniondesk-server upgrade --data {argv[2]}" in err
        assert "Traceback" not in err
    assert db.read_bytes() == before  # refusing changed nothing


def test_upgrade_brings_the_sqlite_fixture_forward_with_everything_intact(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dirs = _copy("sqlite", tmp_path)
    expected = json.loads((FIXTURE / "sqlite" / "expected.json").read_text(encoding="utf-8"))
    before = {level: _rows(_url(dirs[level])) for level in LEVELS}
    for level in LEVELS:
        code, out, err = _run(capsys, "upgrade", "--data", str(dirs[level]))
        assert code == 0, err
        assert "schema revision 0001 (the release before schema migrations)" in out
        assert "applied 0002: Indexes for the queries" in out
        assert "applied 0003: The server's audit log" in out
        assert f"now at schema revision {migrate.head()}" in out
        backups = list((dirs[level] / "backups").glob("server-before-upgrade-from-0001-*.udbackup"))
        assert len(backups) == 1
        assert stat.S_IMODE(backups[0].stat().st_mode) == 0o600
        _, snapshot = read_backup(load_data_dir(dirs[level]), backups[0])  # sealed, yet whole
        copy = sqlite3.connect(":memory:")
        copy.deserialize(snapshot)
        assert copy.execute("SELECT value FROM meta WHERE key='schema'").fetchone() == ("1",)
        copy.close()
    _check_upgraded(dirs, before, expected)

    code, out, _ = _run(capsys, "upgrade", "--data", str(dirs["county"]))
    assert code == 0 and "nothing to do" in out  # a second upgrade is harmless
    code, out, _ = _run(capsys, "status", "--data", str(dirs["county"]))
    assert f"schema      revision {migrate.head()}" in out
    _relay_the_rest(dirs)


def _pg_dirs(postgres_url: str, tmp_path: Path) -> dict[str, Path]:  # noqa: F811
    """The PostgreSQL fixture: the dumps loaded with psql into fresh databases, the data
    directories pointed at them."""
    dirs = _copy("postgresql", tmp_path)
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    host = postgres_url.split("host=")[1].split("&")[0]
    port = postgres_url.split("port=")[1].split("&")[0]
    for level in LEVELS:
        name = f"upgrade_{level}_{tmp_path.name[-12:]}".replace("-", "_").lower()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        subprocess.run(
            ["psql", "-q", "-v", "ON_ERROR_STOP=1", "-h", host, "-p", port, "-U", "postgres",
             "-d", name, "-f", str(FIXTURE / "postgresql" / f"{level}.sql")],
            check=True, capture_output=True, timeout=120,
        )  # fmt: skip
        config_path = dirs[level] / "config.json"
        config = json.loads(config_path.read_text(encoding="utf-8"))
        config["db_url"] = postgres_url.replace("/postgres?", f"/{name}?")
        config_path.write_text(json.dumps(config, ensure_ascii=False), encoding="utf-8")
    admin.dispose()
    return dirs


def test_upgrade_brings_the_postgresql_fixture_forward_with_everything_intact(
    postgres_url: str,  # noqa: F811
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    if shutil.which("psql") is None:
        pytest.skip("psql is not installed")
    dirs = _pg_dirs(postgres_url, tmp_path)
    expected = json.loads((FIXTURE / "postgresql" / "expected.json").read_text(encoding="utf-8"))
    code, _, err = _run(capsys, "status", "--data", str(dirs["county"]))
    assert code == 2 and "uniondesk-server upgrade --data" in err
    before = {level: _rows(_url(dirs[level])) for level in LEVELS}
    for level in LEVELS:
        code, out, err = _run(capsys, "upgrade", "--data", str(dirs[level]))
        assert code == 0, err
        assert (
            "applied 0002" in out and "applied 0003" in out and "backed up" not in out
        )  # pg_dump is the admin's
    _check_upgraded(dirs, before, expected)
    _relay_the_rest(dirs)


def test_migrations_from_nothing_make_exactly_the_tables_of_tables_py(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    engine = create_engine(url)
    before, applied = migrate.upgrade(engine)
    assert before.status == "empty" and applied == [
        "0001",
        "0002",
        "0003",
        "0004",
        "0005",
        "0006",
        "0007",
        "0008",
        "0009",
        "0010",
        "0011",
        "0012",
        "0013",  # issue 20 (relay items built at relay time)
    ]
    engine.dispose()
    assert _schema_diff(url) == []
    # and a database a new server creates directly is the same schema, stamped at the head
    url2 = f"sqlite:///{tmp_path / 'direct.db'}"
    engine = create_engine(url2)
    assert migrate.open_schema(engine).status == "current"
    with engine.connect() as conn:
        assert migrate.schema_state(conn).current == migrate.head()
    engine.dispose()
    assert _schema_diff(url2) == []


def test_a_database_of_a_newer_program_is_refused_by_serve_and_by_upgrade(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.sync.conftest import init_county

    data = init_county(tmp_path / "county")
    Server(load_data_dir(data)).store.close()  # the database, at this program's head
    engine = create_engine(_url(data))
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0099'"))
    engine.dispose()
    for command in ("serve", "upgrade"):
        argv = [command, "--data", str(data)] + (
            ["--port", _free_port()] if command == "serve" else []
        )
        code, _, err = _run(capsys, *argv)
        assert code == 2, command
        assert "schema revision 0099, newer than this program knows" in err
    engine = create_engine(_url(data))
    with engine.connect() as conn:  # the refusal left it as it was
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0099"
    engine.dispose()


def test_a_database_that_is_not_a_unionDesk_servers_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.sync.conftest import init_county

    data = init_county(tmp_path / "county")
    db = data / "server.db"
    db.unlink(missing_ok=True)
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, amount INTEGER)")
    conn.close()
    for command in ("status", "upgrade"):
        code, _, err = _run(capsys, command, "--data", str(data))
        assert code == 2
        assert "not a UnionDesk server's" in err
    with sqlite3.connect(db) as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    conn.close()
    assert tables == {"invoices"}
