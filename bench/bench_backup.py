"""Benchmark of the backup a clerk waits for when closing the program (not a test).

    .venv/bin/python -m bench.bench_backup [--members 200000] [--keep] [--repeat 3] [--check]

Builds (once; reused with --keep) a workspace of demo members (bench_ui's builder), then times
in the same run, each writing a real ``.udbak`` file:

- the backup as made now (``desktop.store.backup.make_backup``: the WAL checkpointed, the
  already-encrypted file streamed into the ZIP under a write transaction, its pages
  authenticated by ``cipher_integrity_check`` on a second thread meanwhile);
- its fallback when another program holds the WAL: a page copy through SQLite's backup API;
- baseline: the old way, ``sqlcipher_export`` into an attached database (kept here verbatim;
  the ZIP step is shared);
- the same backup of a ``gm`` workspace of as many members (issue 16): manifest version 2, the
  database member sealed once more with SM4-GCM in 1 MiB chunks (``desktop.store.backup_seal``),
  printed next to the ``intl`` one;

and prints their sizes. All four files are restored with the admin's password and must hold the same
members. With ``--check`` it also times the parts of ``uniondesk check`` (page authentication,
SQLite integrity check, count drift, audit chain).
"""

from __future__ import annotations

import argparse
import contextlib
import shutil
import statistics
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bench.bench_ui import PASSWORD, build_workspace


def old_copy(conn: Any, data_key: bytes, target: Path) -> None:
    """The database copy make_backup used before: ``sqlcipher_export`` (rebuilds every index)."""
    from desktop.store import db

    key = db.key_pragma_value(data_key)
    conn.execute(f"ATTACH DATABASE ? AS backup KEY {key}", (str(target),))
    try:
        conn.execute("SELECT sqlcipher_export('backup')")
    finally:
        conn.execute("DETACH DATABASE backup")


@contextlib.contextmanager
def copying_with(copy: Any) -> Iterator[None]:
    """make_backup with its database step replaced: ``copy(conn, key, scratch)`` then zip it."""
    from desktop.store import backup

    @contextlib.contextmanager
    def snapshot(conn: Any, db_path: Path, data_key: bytes, scratch: Path) -> Iterator[Path]:
        copy(conn, data_key, scratch)
        yield scratch

    saved = backup.database_snapshot
    backup.database_snapshot = snapshot
    try:
        yield
    finally:
        backup.database_snapshot = saved


def time_backup(ws: Any, folder: Path, repeat: int) -> tuple[float, Path]:
    """Median seconds of ``ws.backup`` over ``repeat`` runs, and the last file."""
    times, path = [], None
    for _ in range(repeat):
        shutil.rmtree(folder, ignore_errors=True)
        t = time.perf_counter()
        path = ws.backup(folder)
        times.append(time.perf_counter() - t)
    assert path is not None
    return statistics.median(times), path


def restored_members(bak: Path, target: Path) -> tuple[float, int, bool]:
    """(seconds to restore, member count, check ok) for a backup restored with the password."""
    from desktop.store import KdfParams, Workspace

    shutil.rmtree(target, ignore_errors=True)
    t = time.perf_counter()
    w = Workspace.restore(
        bak,
        target,
        user="admin",
        password=PASSWORD,
        kdf=KdfParams(memory_kib=8192, iterations=1, lanes=1),
    )
    took = time.perf_counter() - t
    try:
        quick = w._connection().execute("PRAGMA quick_check").fetchone()[0]
        return took, w.records.count("member"), quick == "ok"
    finally:
        w.close(backup=False)
        shutil.rmtree(target, ignore_errors=True)


def time_check(ws: Any) -> None:
    from desktop.store import tally

    conn = ws._connection()
    parts = {
        "cipher_integrity_check": lambda: conn.execute("PRAGMA cipher_integrity_check").fetchall(),
        "integrity_check": lambda: conn.execute("PRAGMA integrity_check").fetchall(),
        "member count drift": lambda: tally.drift(conn),
        "audit chain": lambda: ws._audit.verify(),
    }
    for label, fn in parts.items():
        t = time.perf_counter()
        fn()
        print(f"  check part {label:24s} {time.perf_counter() - t:7.2f} s")
    t = time.perf_counter()
    report = ws.check()
    print(
        f"  whole ws.check()                     {time.perf_counter() - t:7.2f} s (ok={report.ok})"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--members", type=int, default=200_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--keep", action="store_true", help="keep (and reuse) the workspace")
    ap.add_argument("--check", action="store_true", help="also time the parts of ws.check()")
    ap.add_argument("--smoke", action="store_true", help="tiny sizes, a few seconds")
    args = ap.parse_args()
    if args.smoke:
        args.members, args.repeat, args.check = 300, 1, True

    from desktop.store import backup

    root = Path(tempfile.gettempdir())
    folder = root / f"uniondesk-bench-backup-{args.members}"
    out = root / f"uniondesk-bench-backup-out-{args.members}"
    print(f"UnionDesk backup benchmark: {args.members:,} members ({folder})")
    ws = build_workspace(folder, args.members)
    try:
        n = ws.records.count("member")
        db_mb = (folder / "workspace.db").stat().st_size / 1e6
        print(f"member records: {n:,}; workspace.db {db_mb:,.0f} MB")
        new_s, new_file = time_backup(ws, out / "new", args.repeat)
        with copying_with(backup.copy_database):
            page_s, page_file = time_backup(ws, out / "page", args.repeat)
        with copying_with(old_copy):
            old_s, old_file = time_backup(ws, out / "old", args.repeat)
        print(f"(median of {args.repeat} runs each, each a complete .udbak file, fsynced)")
        for label, secs, f in (
            ("now: checkpointed file, byte copy", new_s, new_file),
            ("fallback: page copy (backup API)", page_s, page_file),
            ("baseline: sqlcipher_export (old)", old_s, old_file),
        ):
            mb = f.stat().st_size / 1e6
            print(f"{label:36s} {secs:6.2f} s  {mb:5.0f} MB  (baseline/this {old_s / secs:.1f}x)")
        if args.check:
            time_check(ws)
    finally:
        ws.close(backup=False)
    gm_folder = root / f"uniondesk-bench-backup-gm-{args.members}"
    print(f"gm workspace of the same members ({gm_folder})")
    gm_ws = build_workspace(gm_folder, args.members, crypto_suite="gm")
    try:
        gm_n = gm_ws.records.count("member")
        gm_mb = (gm_folder / "workspace.db").stat().st_size / 1e6
        gm_s, gm_file = time_backup(gm_ws, out / "gm", args.repeat)
    finally:
        gm_ws.close(backup=False)
    for label, secs, f, db in (
        ("intl: version 1, file as it is", new_s, new_file, db_mb),
        ("gm: version 2, SM4-GCM 1 MiB chunks", gm_s, gm_file, gm_mb),
    ):
        mb = f.stat().st_size / 1e6
        print(
            f"{label:36s} {secs:6.2f} s  {mb:5.0f} MB  (workspace.db {db:,.0f} MB;"
            f" this/intl {secs / new_s:.2f}x)"
        )
    ok = True
    for label, f in (
        ("now", new_file),
        ("fallback", page_file),
        ("baseline", old_file),
        ("gm", gm_file),
    ):
        took, count, sane = restored_members(f, out / f"restored-{label}")
        print(
            f"restore of the {label} backup: {took:6.2f} s, {count:,} members, quick_check ok={sane}"
        )
        ok = ok and count == (gm_n if label == "gm" else n) and sane
    shutil.rmtree(out, ignore_errors=True)
    if not args.keep:
        shutil.rmtree(folder, ignore_errors=True)
        shutil.rmtree(gm_folder, ignore_errors=True)
    print("every backup restores with the password and holds every member:", "yes" if ok else "NO")
    if not ok:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
