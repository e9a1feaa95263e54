"""``uniondesk records add FORM_ID FILE.json`` and ``uniondesk records list FORM_ID``.

``add`` takes one record (a JSON object of field values) or a JSON array of them. Every record
is validated like the UI does; if any fails, NOTHING from the file is saved and each problem is
printed as ``record N: FIELD: CODE {params}`` (exit 2). Otherwise all are saved in one
transaction and their uuids printed, one per line.

``list`` prints uuid, version, status and the form's searchable fields, tab-separated (or the
whole records with ``--json``). Sensitive fields (ID numbers, phones) are masked unless
``--unmask`` is given by a role allowed to see them; every unmasked record is audited.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from desktop.cli.workspace_cmds import CliError, _run, add_common, open_workspace


def register(subparsers: argparse._SubParsersAction) -> None:
    records = subparsers.add_parser("records", help="add or list records (scripting and support)")
    rsub = records.add_subparsers(dest="records_command", metavar="ACTION", required=True)
    add = rsub.add_parser("add", help="validate and save records from a JSON file (all or nothing)")
    add_common(add)
    add.add_argument("form_id", metavar="FORM_ID")
    add.add_argument(
        "file", type=Path, metavar="FILE.json", help="one record object or an array; - for stdin"
    )
    add.add_argument(
        "--draft", action="store_true", help="save as drafts (required fields may be missing)"
    )
    add.set_defaults(func=_run(run_add))
    ls = rsub.add_parser("list", help="list records of a form")
    add_common(ls)
    ls.add_argument("form_id", metavar="FORM_ID")
    ls.add_argument(
        "--search", default=None, metavar="TEXT", help="name fragment, ID or phone prefix"
    )
    ls.add_argument("--status", default=None, help="only records with this status")
    ls.add_argument(
        "--filter",
        action="append",
        default=[],
        metavar="FIELD=VALUE",
        help="exact field match (repeatable)",
    )
    ls.add_argument("--order-by", default=None, metavar="FIELD")
    ls.add_argument("--limit", type=int, default=None)
    ls.add_argument("--offset", type=int, default=0)
    ls.add_argument("--json", action="store_true", help="print full records as a JSON array")
    ls.add_argument("--unmask", action="store_true", help="show ID numbers and phones (audited)")
    ls.set_defaults(func=_run(run_list))


def _load(path: Path) -> list[dict[str, Any]]:
    try:
        text = sys.stdin.read() if str(path) == "-" else path.read_text("utf-8-sig")
    except FileNotFoundError:
        raise CliError(f"{path}: no such file", 2) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CliError(f"{path}: cannot read it ({type(exc).__name__})", 2) from None
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CliError(
            f"{path}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})", 2
        ) from None
    rows = doc if isinstance(doc, list) else [doc]
    for i, row in enumerate(rows, 1):
        if not isinstance(row, dict):
            raise CliError(f"{path}: record {i} is not a JSON object of field values", 2)
    return rows


def run_add(args: argparse.Namespace) -> int:
    rows = _load(args.file)
    with open_workspace(args) as ws:
        result = ws.records.save_many(
            args.form_id, rows, status="draft" if args.draft else "ready", all_or_nothing=True
        )
        if result.failed:
            for index, res in result.failed:
                for e in res.errors:
                    params = (
                        f" {json.dumps(e.params, ensure_ascii=False, default=str)}"
                        if e.params
                        else ""
                    )
                    print(
                        f"record {index + 1}: {e.field or '(record)'}: {e.code}{params}",
                        file=sys.stderr,
                    )
            print(
                f"uniondesk: {len(result.failed)} of {len(rows)} records are invalid; nothing was saved",
                file=sys.stderr,
            )
            return 2
        for u in result.saved:
            print(u)
    return 0


def run_list(args: argparse.Namespace) -> int:
    filters: dict[str, Any] = {}
    for item in args.filter:
        field, sep, value = item.partition("=")
        if not sep or not field:
            raise CliError(f"--filter needs FIELD=VALUE, got {item!r}", 2)
        filters[field] = value
    with open_workspace(args) as ws:
        recs = ws.records.query(
            args.form_id,
            search=args.search,
            filters=filters or None,
            status=args.status,
            order_by=args.order_by,
            limit=args.limit,
            offset=args.offset,
            unmask=args.unmask,
        )
        short = ws.records.search_too_short(args.form_id, args.search) if args.search else 0
        if short:  # gm: no search tokens for shorter ID-number / phone prefixes (CRYPTO.md)
            print(f"note: type at least {short} digits of an ID number or phone", file=sys.stderr)
        if args.json:
            print(
                json.dumps(
                    [{**r.payload(), "comment": r.comment, "locked": r.locked} for r in recs],
                    ensure_ascii=False,
                    indent=1,
                )
            )
            return 0
        spec = ws.forms.spec(ws.forms.latest(args.form_id))
        cols = list(dict.fromkeys([*spec.contains, *spec.prefix]))
        print("\t".join(["uuid", "version", "status", *cols]))
        for r in recs:
            print(
                "\t".join(
                    [
                        r.uuid,
                        str(r.version),
                        r.status,
                        *("" if r.data.get(c) is None else str(r.data.get(c)) for c in cols),
                    ]
                )
            )
    return 0
