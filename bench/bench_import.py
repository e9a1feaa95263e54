"""Benchmark of the member import (not a test): prints seconds, rows/s and peak memory.

    .venv/bin/python -m bench.bench_import [--rows 100000] [--bad 0.01] [--format xlsx|csv] [--smoke]

Targets (issue 17): a 100,000-row sheet with 1 % bad rows imports in at most 12 s, within 3x of
the fastest bare read of the same file, with peak memory at most 300 MB; every good row kept and
every bad row reported with its row and column. (Issue 8's were 60 s and 500 MB.)

The sheet is written first by a child process (so its memory does not count), shaped like a
township's Excel roster as Excel saves it: a merged title row, Chinese headers, text in the
shared-string table, ID numbers as text, join dates as date-formatted serial numbers. Bad rows are spread evenly: ID numbers Excel turned into ``1.1E+17``,
impossible dates, missing names, wrong check digits. Then the bare read of that file — every
row's values, nothing else — by each reader the import could use (openpyxl read-only, the
streaming reader of ``desktop.reports.import_xlsx``, python-calamine), each in a child process
of its own so its memory does not count either. Then, in this process, on a real SQLCipher
workspace: open + guess the mapping, the preview (every row validated, nothing written), the
commit (1,000-row chunks, committed every 25,000 rows). Peak RSS is the process's high-water mark
(``ru_maxrss``) after the import. CPU seconds are printed too: on a busy machine they say more
than the wall clock.

Measured for issue 17 (7 Dec 2026, 2 shared cores, other jobs running: load average 1.9-3.5
throughout, so wall seconds moved by 15-25 % between runs of the same code and CPU seconds by
about 10 %). This bench, 100,000 rows:

- before (aea51a6), load 2.6: open + mapping 1.78 s, preview 23.78 s, commit 42.49 s, TOTAL
  68.0 s wall, CPU 51.0 s (preview 20.1, commit 30.9); peak RSS 219 MB; calamine bare read
  2.29 s (ratio 29.7x).
- after (schema step 10 tally per batch, commits every 25,000 rows, cheaper grams / ID digest /
  uuid7s), load 2.8: open 2.32 s, preview 26.83 s, commit 54.61 s, TOTAL 83.8 s wall, CPU
  58.2 s (preview 22.1, commit 36.1); peak 219 MB; calamine 2.54 s (32.9x). The preview, whose
  code did not change, took 10 % more CPU than before: the machine was busier, not the code slower.
- so the same sheet was imported back to back by the old and the new code (preview + commit,
  workspace as here): 100k, commit wall / CPU: old 39.9 / 32.2 s, new 41.9 / 33.0 s (load 2.6);
  then old 44.0 / 36.2 s, new with the old 10,000-row commits 44.8 / 35.0 s, new 35.1 / 31.5 s
  (load 2.2). 50k: old 21.4 / 15.5 and 25.3 / 17.6 s, new 25.2 / 15.7 and 20.9 / 15.3 s.
  Statement by statement (100k, SQL timed per call): records insert with the tally trigger
  5.55 s -> 2.79 s insert + 1.41 s counting per batch; 11 COMMITs 8.43 s -> 5 COMMITs 4.58 s.

Then (branch imp3, same evening): the per-row work was profiled at 20,000 rows and cut where the
profile showed it: the search index decides which fields it keys and which are sealed once per
chunk instead of once per record and field, and inserts its ``record_keys`` rows in the
B-tree's order (that statement 1.29 s -> 1.0-1.1 s at 100k); the completeness key of the kept
member facts tells non-empty strings apart first; code cells (ID numbers, phones) that are ASCII
letters and digits skip NFKC and the space clean-up (nothing to undo in them); canonical JSON is
built as text once (no encode/decode round trip) when a row is sealed and when a record is
written. Most of the rest was already done before: the form compiled once per definition
(parsers, expressions, memoised type parses), one ``executemany`` per table and chunk, canonical
JSON built once per record and the preview's sealed values taken by the commit without
validating again. Tried and left out: member facts inserted in digest order and no WAL
checkpoint until the end of the import (no gain beyond the noise), one transaction for the
whole import (worse: commit 19.1 s instead of 12.8 s, SQL 10.1 s instead of 6.8 s).

A/B interleaved, 100,000 rows, the same sheet, old = main (a793b40), new = imp3, each run the
whole bench in turn (old, new, old, new), wall / CPU seconds:

- load 3.1 / 2.6: old TOTAL 26.3 s (preview 8.0, commit 17.2; CPU 21.7), new 19.5 s (preview
  5.9, commit 12.8; CPU 19.1) — the old run was on the busier minute;
- load 1.8 / 1.5: old TOTAL 18.9 s (preview 5.5, commit 12.7; CPU 18.6: preview 6.2, commit
  12.4), new 17.5 s (preview 4.7, commit 12.1; CPU 17.2: preview 5.4, commit 11.9).

So 7-12 % off the whole import's CPU (preview 11-13 %, commit 4-12 %), peak RSS 219 MB both.
On a quiet machine (load 0.3-0.9) main imported the 100k sheet in 25 s (preview 6.2, commit
18.0), not the 55-85 s measured above under load 2-3.5: the wall clock here moves by 2x with
the other jobs, the CPU seconds by 10-20 %.

Not reached: the 12 s (17.5-19.5 s at best here) and the 3x of calamine's bare read (0.7-0.9 s
here, so 3x is about 2.5 s; the import takes 25x). Where the time goes now, CPU per row at 20,000 rows (load
about 4; timed by wrapping the calls, not by cProfile, whose overhead inflates the many small
functions roughly 2.5x and made them look more worth cutting than they were): preview about
50 us (split by the profile's proportions: ``forms.validate`` about 30 of it, sealing 5,
cleaning the cells 8, reading 3); commit
about 110 us, half of it SQLCipher (inserts into records, record_keys, member_facts, the two FTS
tables, audit_log and outbox, the tally's GROUP BY, the commits: every page encrypted and
authenticated) and half Python (search rows 15, member facts 18, checking the sealed rows 10,
audit entries and record hashes 15). Reaching 12 s needs the commit at about 60 us a row: fewer
index rows per member (five ``record_keys`` rows each now, two FTS rows, a facts row) or a writer that prepares the
next chunk while SQLite writes the last — a thread does not help as it stands (sqlite releases
the GIL per row, and a busy Python thread then starves it: measured 1.77 s -> 1.65 s for an
insert + Python mix) — and the preview's validation in a second process. Peak memory is within
its target.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HEADERS = [
    "序号",
    "姓名",
    "性别",
    "民族",
    "身份证号码",
    "手机号码",
    "学历",
    "工作单位",
    "入会时间",
    "会员类型",
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华玉萍红娥玲芬燕彬斌鹏辉"
PASSWORD = "bench-password-1"


def resident_id(i: int) -> str:
    from forms import ids

    body = (
        f"{330101 + (i // 900000) % 50:06d}{1960 + (i // 336) % 40:04d}"
        f"{1 + (i // 28) % 12:02d}{1 + i % 28:02d}{(i // 13440) % 500 * 2 + 1:03d}"
    )
    return body + ids.resident_id_check_char(body)


def sheet_rows(n: int, bad_every: int):
    """(row values, kind of fault or "") for each data row."""
    join = dt.datetime(2020, 3, 1)
    for i in range(n):
        name = (
            SURNAMES[i % len(SURNAMES)] + GIVEN[(i * 7) % len(GIVEN)] + GIVEN[(i * 3) % len(GIVEN)]
        )
        idn = resident_id(i)
        row = [
            i + 1,
            name,
            "男",
            "汉族",
            idn,
            f"1{3 + i % 7}{i:09d}",
            "本科",
            f"杭州测试企业{i % 500}有限公司",
            join,
            "普通会员",
        ]
        fault = ""
        if bad_every and i % bad_every == bad_every // 2:
            fault = ("float_id", "bad_date", "no_name", "checksum")[(i // bad_every) % 4]
            if fault == "float_id":
                row[4] = float(idn[:17])
            elif fault == "bad_date":
                row[8] = "2020-02-30"
            elif fault == "no_name":
                row[1] = None
            else:
                row[4] = idn[:17] + ("0" if idn[17] != "0" else "1")
        yield row, fault


def generate(path: Path, n: int, bad_every: int) -> None:
    """Write the sheet as Excel does (shared strings, a date style), or a GB18030 CSV."""
    if path.suffix == ".csv":
        import csv

        with path.open("w", encoding="gb18030", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(HEADERS)
            for row, _ in sheet_rows(n, bad_every):
                w.writerow(
                    [
                        ""
                        if v is None
                        else (v.date().isoformat() if isinstance(v, dt.datetime) else v)
                        for v in row
                    ]
                )
        return
    write_excel_like(
        path,
        [["某某街道总工会会员花名册（2026年）"], HEADERS],
        (row for row, _ in sheet_rows(n, bad_every)),
    )


MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def write_excel_like(path: Path, head: list[list], rows) -> None:
    """A minimal .xlsx as Excel writes it: text in the shared-string table, dates as serial
    numbers with a date style, a merged title row."""
    import itertools
    import zipfile
    from xml.sax.saxutils import escape

    strings: dict[str, int] = {}
    epoch = dt.datetime(1899, 12, 30)

    def col(i: int) -> str:
        out = ""
        i += 1
        while i:
            i, r = divmod(i - 1, 26)
            out = chr(65 + r) + out
        return out

    def cell(ref: str, v) -> str:
        if v is None:
            return ""
        if isinstance(v, dt.datetime):
            return f'<c r="{ref}" s="1"><v>{(v - epoch).days}</v></c>'
        if isinstance(v, int | float):
            return f'<c r="{ref}"><v>{v!r}</v></c>'
        idx = strings.setdefault(str(v), len(strings))
        return f'<c r="{ref}" t="s"><v>{idx}</v></c>'

    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        with zf.open("xl/worksheets/sheet1.xml", "w") as fh:
            fh.write(
                f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN_NS}"><sheetData>'.encode()
            )
            for r, row in enumerate(itertools.chain(head, rows), start=1):
                cells = "".join(cell(col(i) + str(r), v) for i, v in enumerate(row))
                fh.write(f'<row r="{r}">{cells}</row>'.encode())
            fh.write(
                b'</sheetData><mergeCells count="1"><mergeCell ref="A1:J1"/></mergeCells></worksheet>'
            )
        sst = "".join(f"<si><t>{escape(s)}</t></si>" for s in strings)
        zf.writestr(
            "xl/sharedStrings.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN_NS}" uniqueCount="{len(strings)}">{sst}</sst>',
        )
        zf.writestr(
            "xl/styles.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="{MAIN_NS}"><cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="14"/></cellXfs></styleSheet>',
        )
        zf.writestr(
            "xl/workbook.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}"><sheets><sheet name="会员花名册" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        zf.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{REL_NS}/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="{REL_NS}/sharedStrings" Target="sharedStrings.xml"/><Relationship Id="rId3" Type="{REL_NS}/styles" Target="styles.xml"/></Relationships>',
        )
        zf.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>',
        )
        zf.writestr(
            "_rels/.rels",
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{REL_NS}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )


READERS = ("openpyxl", "stream", "calamine")


def bare_read(reader: str, path: Path) -> tuple[float, float, int]:
    """(wall s, CPU s, rows) of reading every row's values of ``path`` with ``reader``."""
    c0, t0 = time.process_time(), time.perf_counter()
    n = 0
    if path.suffix == ".csv":
        import csv

        with path.open(encoding="gb18030", newline="") as fh:
            n = sum(1 for _ in csv.reader(fh))
    elif reader == "openpyxl":
        import warnings

        import openpyxl

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        n = sum(1 for _ in wb.worksheets[0].iter_rows(values_only=True))
        wb.close()
    elif reader == "stream":
        from desktop.reports.import_xlsx import XlsxBook

        with XlsxBook(path) as book:
            n = sum(1 for _ in book.rows(book.sheet_names[0]))
    else:
        from python_calamine import CalamineWorkbook

        sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
        n = sum(1 for _ in sheet.iter_rows())
    return time.perf_counter() - t0, time.process_time() - c0, n


def _bare_reads(sheet: Path) -> dict[str, tuple[float, float, int]]:
    readers = ("csv",) if sheet.suffix == ".csv" else READERS
    out: dict[str, tuple[float, float, int]] = {}
    for reader in readers:
        proc = subprocess.run(
            [sys.executable, "-m", "bench.bench_import", "--bare-read", reader, str(sheet)],
            check=True,
            capture_output=True,
            text=True,
        )
        wall, cpu, n = proc.stdout.split()
        out[reader] = (float(wall), float(cpu), int(n))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--bad", type=float, default=0.01, help="share of bad rows (0.01 = 1 %%)")
    ap.add_argument("--format", choices=("xlsx", "csv"), default="xlsx")
    ap.add_argument("--generate", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--bare-read", nargs=2, metavar=("READER", "FILE"), help=argparse.SUPPRESS)
    ap.add_argument("--smoke", action="store_true", help="500 rows: the same path in seconds")
    args = ap.parse_args()
    if args.smoke:
        args.rows = min(args.rows, 500)
    bad_every = round(1 / args.bad) if args.bad > 0 else 0
    if args.generate:
        generate(args.generate, args.rows, bad_every)
        return 0
    if args.bare_read:
        wall, cpu, n = bare_read(args.bare_read[0], Path(args.bare_read[1]))
        print(f"{wall:.3f} {cpu:.3f} {n}")
        return 0

    from desktop.domain import member_import as ei
    from desktop.store import KdfParams, Workspace

    expected_bad = sum(1 for _, f in sheet_rows(args.rows, bad_every) if f)
    with tempfile.TemporaryDirectory(prefix="bench_import_") as tmp:
        sheet = Path(tmp) / f"roster.{args.format}"
        t = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
                "-m",
                "bench.bench_import",
                "--rows",
                str(args.rows),
                "--bad",
                str(args.bad),
                "--generate",
                str(sheet),
            ],
            check=True,
        )
        print(
            f"sheet: {args.rows:,} rows, {expected_bad:,} bad, {sheet.stat().st_size / 1e6:.1f} MB "
            f"{args.format} (written in {time.perf_counter() - t:.1f} s by a child process)"
        )
        reads = _bare_reads(sheet)
        for reader, (wall, cpu, n) in reads.items():
            print(f"bare read, {reader + ':':10} {wall:6.2f} s (CPU {cpu:.2f} s, {n:,} rows)")
        fastest_reader, (fastest, _, _) = min(reads.items(), key=lambda kv: kv[1][0])
        ws, _ = Workspace.create(
            Path(tmp) / "ws",
            org_unit_code="330106001",
            admin_password=PASSWORD,
            kdf=KdfParams(memory_kib=8192, iterations=1, lanes=1),
        )
        union = ws.records.save(
            "union",
            {
                "full_name": "杭州测试有限公司工会委员会",
                "union_type": "independent",
                "founded_date": "2015-03-01",
                "employer_name": "杭州测试有限公司",
                "employer_nature": "enterprise_domestic",
                "division_code": "330106",
                "employees": 100,
                "members": 80,
            },
        ).uuid
        rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        c0, t0 = time.process_time(), time.perf_counter()
        opened = ei.open_member_sheet(sheet, ws)
        t1 = time.perf_counter()
        plan = ei.preview_import(ws, opened, union)
        c2, t2 = time.process_time(), time.perf_counter()
        outcome = ei.commit_import(ws, plan, "skip")
        c3, t3 = time.process_time(), time.perf_counter()
        report = ei.write_error_report(plan, Path(tmp) / "errors.xlsx", outcome)
        t4 = time.perf_counter()
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        saved = ws.records.count("member")
        reported = sum(1 for errs in plan.errors.values() if errs and all(e.letter for e in errs))
        ws.close(backup=False)
        total = t3 - t0
        print(f"open + mapping: {t1 - t0:.2f} s")
        print(
            f"preview:        {t2 - t1:.2f} s  ({plan.total_rows / (t2 - t1):,.0f} rows/s); "
            f"good rows kept as {plan.good.nbytes() / 1e6:.1f} MB compressed"
        )
        print(f"commit:         {t3 - t2:.2f} s  ({outcome.created / (t3 - t2):,.0f} rows/s)")
        print(f"error report:   {t4 - t3:.2f} s  ({report.stat().st_size / 1e3:.0f} kB)")
        print(f"reader used:    {opened.source.reader} ({opened.source.kind})")
        print(
            f"TOTAL import:   {total:.2f} s  ({plan.total_rows / total:,.0f} rows/s)   "
            f"target <= 12 s: {total / 12:.2f} of it (scaled to 100,000 rows: "
            f"{total / 12 * 100_000 / max(args.rows, 1):.2f})"
        )
        print(
            f"ratio to the fastest bare read ({fastest_reader}, {fastest:.2f} s): "
            f"{total / max(fastest, 1e-9):.1f}x   target <= 3x"
        )
        print(
            f"CPU time:       {c3 - c0:.2f} s (preview {c2 - c0:.2f} s, commit {c3 - c2:.2f} s); "
            f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
        )
        print(
            f"peak RSS:       {peak:.0f} MB (before the import: {rss0:.0f} MB)   target <= 300 MB"
        )
        print(
            f"rows: {plan.total_rows:,} read, {saved:,} saved, {plan.error_count:,} reported "
            f"({reported:,} with row and column; {expected_bad:,} bad in the sheet)"
        )
        ok = (
            saved == args.rows - expected_bad
            and plan.error_count == expected_bad
            and reported == expected_bad
        )
        print("every good row kept and every bad row reported:", "yes" if ok else "NO")
        return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
