"""``uniondesk-server upgrade`` (the database to this program's schema revision), ``backup`` and
``restore`` (sealed copies of a SQLite database, ``backup.py``)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from sync.server import backup, migrate
from sync.server.config import DataDir, ServerSetupError, ensure_keyring, load_data_dir
from sync.server.domain import audit_log
from sync.server.domain.formset import FormSet
from sync.server.domain.personal import Sealer, SensitiveFields, sensitive_paths
from sync.server.keyring import KeySource, describe_master
from sync.server.runner import open_store
from sync.server.store import Store


def _sensitive_fields(forms: FormSet) -> SensitiveFields:
    def fields(form_id: str, version: int) -> frozenset[str]:
        form = forms.get(form_id, version)
        return sensitive_paths(form) if form is not None else frozenset()

    return fields


def backup_sqlite(data: DataDir, revision: str) -> Path | None:
    """Seal a copy of a SQLite database (online; ``backup.py``) into DATA/backups before an
    upgrade changes it. PostgreSQL: None (its upgrade is one transaction per revision; back it
    up with pg_dump as usual)."""
    if not data.db_url.startswith("sqlite:///"):
        return None
    folder = data.path / "backups"
    folder.mkdir(mode=0o700, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = folder / f"server-before-upgrade-from-{revision}-{stamp}.udbackup"
    backup.write_backup(data, target)
    return target


def _backup_passphrase(args: argparse.Namespace) -> str | None:
    if not args.backup_passphrase_file:
        return None
    source = KeySource(passphrase_file=Path(args.backup_passphrase_file))
    return source.passphrase(required=True)


def cmd_backup(args: argparse.Namespace) -> int:
    data = load_data_dir(Path(args.data))
    target = Path(args.output)
    if target.exists():
        raise ServerSetupError(f"{target} exists; name a new file")
    passphrase = _backup_passphrase(args)
    if args.with_keys and passphrase is None:
        raise ServerSetupError("--with-keys needs --backup-passphrase-file FILE")
    header = backup.write_backup(data, target, passphrase if args.with_keys else None)
    print(f"backed up {header['bytes']} bytes of {data.config.name} to {target} (sealed)")
    if args.with_keys:
        print("with its configuration and keys: it opens with the backup passphrase alone")
    else:
        print(f"restoring it needs this server's {describe_master(data.path, data.keys)}")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    path = Path(args.data)
    if not (path / "config.json").exists():
        header = backup.restore_new(path, Path(args.file), _backup_passphrase(args))
        print(f"restored {header['name']} ({header['level']}, {header['created_at']}) into {path}")
        print("its keyring opens with the backup passphrase (--passphrase-file FILE); "
              "'uniondesk-server rotate-key' moves it to a key file")  # fmt: skip
        return 0
    data = load_data_dir(path)
    header = backup.restore_backup(data, Path(args.file), _backup_passphrase(args))
    print(f"restored the database of {header['created_at']} from {args.file}")
    with open_store(data.db_url, require_current=False).engine.connect() as conn:
        state = migrate.schema_state(conn)
    if state.status == "behind":
        print(
            f"it is at schema revision {state.current}: run 'uniondesk-server upgrade --data {args.data}'"
        )
    return 0


def compact(store: Store) -> None:
    """Drop the space the old plaintext values took: SQLite rewrites the file and empties its
    WAL; PostgreSQL rewrites the tables (``VACUUM FULL``), so no old row version remains."""
    raw = store.engine.raw_connection()
    try:
        if store.is_sqlite:
            raw.execute("VACUUM")
            raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        else:
            raw.driver_connection.autocommit = True  # type: ignore[union-attr]
            cur = raw.cursor()
            try:
                cur.execute("VACUUM FULL")
            finally:
                cur.close()
            raw.driver_connection.autocommit = False  # type: ignore[union-attr]
    finally:
        raw.close()


def cmd_upgrade(args: argparse.Namespace) -> int:
    path = Path(args.data)
    if ensure_keyring(path):
        print(f"keyring created: {path / 'keys' / 'keyring.json'} (private keys now encrypted)")
    data = load_data_dir(path)
    print(f"master key: {describe_master(path, data.keys)}")
    store = open_store(data.db_url, require_current=False)
    try:
        with store.engine.connect() as conn:
            before = migrate.schema_state(conn)
        if before.status in ("ahead", "foreign"):
            raise ServerSetupError(migrate.mismatch_message(before, args.data))
        pending = before.pending()
        if not pending:
            print(f"the database is at schema revision {before.current} (current); nothing to do")
            return 0
        origin = " (the release before schema migrations)" if before.legacy else ""
        print(f"database at schema revision {before.current or 'none'}{origin}")
        if not args.no_backup and before.status == "behind":
            copy = backup_sqlite(data, before.current or "none")
            if copy is not None:
                print(f"backed up to {copy}")
        sealer = Sealer(data.cipher, _sensitive_fields(FormSet(store)))
        _, applied = migrate.upgrade(store.engine, sealer)
        for revision in applied:
            print(f"applied {revision}: {migrate.describe(revision)}")
        with store.write() as conn:  # after the revisions: the audit log is one of them
            audit_log.append(
                conn, "schema_upgraded", "admin", "database",
                {"from": before.current or "none", "to": migrate.head()},
            )  # fmt: skip
        compact(store)
        print(f"now at schema revision {migrate.head()}")
    finally:
        store.close()
    return 0


def add_commands(command: Callable[..., argparse.ArgumentParser]) -> None:
    p = command("backup", cmd_backup, "write a sealed, online backup of the SQLite database")
    p.add_argument("-o", "--output", required=True, help="the new backup file")
    p.add_argument(
        "--with-keys",
        action="store_true",
        help="also the configuration and keys, all opened by the backup passphrase alone",
    )
    p.add_argument("--backup-passphrase-file", metavar="FILE", help="the backup's passphrase")
    p = command(
        "restore", cmd_restore, "replace the SQLite database by a sealed backup (stop serve first)"
    )
    p.add_argument("file", help="a file written by 'uniondesk-server backup' or 'upgrade'")
    p.add_argument(
        "--backup-passphrase-file",
        metavar="FILE",
        help="the passphrase of a backup made --with-keys (then DIR may be a new directory)",
    )
    p = command(
        "upgrade",
        cmd_upgrade,
        "bring the database to this program's schema revision (stop serve first)",
    )
    p.add_argument(
        "--no-backup",
        action="store_true",
        help="SQLite: do not copy the database to DATA/backups first",
    )
