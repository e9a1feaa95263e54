"""Benchmark of the desktop program's lists (not a test): prints figures for a 200k roster.

    .venv/bin/python -m bench.bench_ui [--members 200000] [--keep]

Builds (once; reused with --keep) a workspace with that many members through the store, then
drives the real Members page offscreen and times what a clerk waits for:

- opening the Members page (count, first page of rows, painted);
- the first result of a search typed into the search box: a two-character name fragment, an
  ID-number prefix, a phone prefix (count + first rows, painted);
- scrolling: jumping to the middle and to the end of the list (a page fetched and painted);
- sorting by name.

Target: each under 300 ms on this machine.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

PASSWORD = "bench-ui-password"
TARGET_MS = 300.0


def build_workspace(folder: Path, members: int, crypto_suite: str = "intl") -> Any:
    from desktop.demo import member_rows, union_rows
    from desktop.store import KdfParams, Workspace
    from desktop.store.workspace import DB_NAME

    kdf = KdfParams(memory_kib=8192, iterations=1, lanes=1)
    if (folder / DB_NAME).exists():
        ws = Workspace.open(folder, user="admin", password=PASSWORD, kdf=kdf)
        if ws.records.count("member") >= members:
            return ws
        ws.close(backup=False)
        from desktop.store.workspace import remove_workspace_files

        remove_workspace_files(folder)
    ws, _key = Workspace.create(
        folder,
        org_unit_code="330106001",
        org_unit_name="西溪街道总工会",
        admin_user="admin",
        admin_password=PASSWORD,
        kdf=kdf,
        crypto_suite=crypto_suite,
    )
    unions = [ws.records.save("union", row).uuid for row in union_rows()]
    started = time.perf_counter()
    result = ws.records.save_many(
        "member",
        member_rows(unions, members),
        chunk_size=5000,
        progress=lambda done, total: print(
            f"\r  saving members {done:,}/{total:,}", end="", flush=True
        ),
    )
    print(
        f"\r  saved {result.total - len(result.failed):,} members in {time.perf_counter() - started:.0f} s"
        f" ({len(result.failed)} refused)"
    )
    return ws


def timed(fn: Callable[[], Any], repeat: int = 5) -> tuple[float, float]:
    """(first, median) in milliseconds."""
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return times[0], statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--members", type=int, default=200_000)
    parser.add_argument("--keep", action="store_true", help="keep (and reuse) the workspace")
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, a few seconds")
    args = parser.parse_args()
    if args.smoke:
        args.members = 300

    from PySide6.QtWidgets import QApplication

    from desktop.ui import prefs
    from desktop.ui.app import create_application
    from desktop.ui.tasks import ImmediateTaskRunner, set_default_runner

    folder = Path(tempfile.gettempdir()) / f"uniondesk-bench-ui-{args.members}"
    print(f"UnionDesk UI benchmark: {args.members:,} members ({folder})")
    ws = build_workspace(folder, args.members)
    prefs.set_preferences_file(folder.parent / "uniondesk-bench-ui-prefs.ini")
    app = create_application(language="zh_CN")
    set_default_runner(ImmediateTaskRunner())

    from desktop.ui.main_window import MainWindow
    from desktop.ui.pages.members import MembersPage

    window = MainWindow(folder)
    window.resize(1366, 768)
    window.show()
    window.set_workspace(ws)
    page = next(p for p in window.pages if isinstance(p, MembersPage))
    app.processEvents()

    def paint() -> None:
        page.table.viewport().repaint()
        QApplication.processEvents()

    results: list[tuple[str, float, float]] = []

    def open_members() -> None:
        window.nav.setCurrentRow(0)
        QApplication.processEvents()
        page.model.ws = None
        window.show_page(MembersPage)
        page.refresh()
        paint()
        assert page.model.rowCount() >= args.members

    results.append(("open the Members page", *timed(open_members)))

    def search(text: str) -> Callable[[], None]:
        def run() -> None:
            page.search_edit.setText(text)
            page.apply_query()  # what the debounce timer calls
            paint()
            assert page.model.rowCount() > 0, text
            page.model.data(page.model.index(0, 1))

        return run

    sample = ws.records.query("member", limit=1, offset=args.members // 3, unmask=False)[0]
    name_part = (
        sample.data["name"][1:3] if len(sample.data["name"]) >= 3 else sample.data["name"][:2]
    )
    results.append((f"search a 2-character name fragment ({name_part})", *timed(search(name_part))))
    results.append(("search an ID-number prefix (33010619)", *timed(search("33010619"))))
    results.append(("search a phone prefix (1380)", *timed(search("1380"))))
    page.search_edit.clear()
    page.apply_query()

    def scroll(fraction: float) -> Callable[[], None]:
        def run() -> None:
            page.model._pages.clear()  # a cold page, as after scrolling far
            row = int((page.model.rowCount() - 1) * fraction)
            page.table.scrollTo(page.model.index(row, 0))
            paint()

        return run

    results.append(("scroll to the middle", *timed(scroll(0.5))))
    results.append(("scroll to the end", *timed(scroll(1.0))))

    def sort_by_name() -> None:
        page.table.horizontalHeader().setSortIndicator(
            1, page.table.horizontalHeader().sortIndicatorOrder()
        )
        page.model.sort(1)
        paint()

    results.append(("sort by name", *timed(sort_by_name, repeat=3)))

    print(f"\n{'what':52s} {'first ms':>9s} {'median ms':>10s}  target < {TARGET_MS:.0f} ms")
    for label, first, median in results:
        mark = "ok" if median < TARGET_MS else "SLOW"
        print(f"{label:52s} {first:9.1f} {median:10.1f}  {mark}")
    window.close_workspace()
    if not args.keep:
        from desktop.store.workspace import remove_workspace_files

        remove_workspace_files(folder)
        folder.rmdir()


if __name__ == "__main__":
    main()
