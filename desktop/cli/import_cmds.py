"""``uniondesk import members FILE --union ID`` and ``uniondesk export members|unions -o FILE``.

The import does headless what the Import dialog does: read the sheet, guess (or take ``--map``)
the column mapping, validate every row, then write the good rows in chunks and — when rows were
rejected — the error report (.xlsx, next to the sheet unless ``--error-report`` says where).
``--dry-run`` only checks. Exit codes: 0 every row imported, 1 nothing imported (the file or the
command is wrong), 4 some rows rejected or skipped (see the report). Ctrl-C during the import
stops after the chunk being written and says which rows are in.

``uniondesk import template -o FILE.xlsx`` writes the blank import template.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desktop.cli.common import add_workspace_args, fail, open_workspace
from desktop.cli.import_text import say

if TYPE_CHECKING:
    from desktop.store import Workspace

EXIT_PARTIAL = 4


def register(subparsers: argparse._SubParsersAction) -> None:
    imp = subparsers.add_parser("import", help="import members from an .xlsx / .csv sheet")
    kinds = imp.add_subparsers(dest="kind", metavar="WHAT")
    members = kinds.add_parser(
        "members",
        help="import a member roster (会员花名册) into one union",
        description="Import members from FILE (.xlsx or .csv in UTF-8 / GB18030) into a union.",
    )
    members.add_argument("file", type=Path, help="the sheet to import")
    members.add_argument("--union", required=True, help="the union's record id (or its full name)")
    members.add_argument("--sheet", default=None, help="worksheet name (default: the first one)")
    members.add_argument(
        "--on-duplicate",
        choices=("update", "skip", "keep_both"),
        default="skip",
        help="an ID number already in the workspace or earlier in the file (default: skip)",
    )
    members.add_argument(
        "--on-contradiction",
        choices=("use_id", "exclude"),
        default="use_id",
        help="性别 / 出生日期 contradicting the ID number: take the ID's value (default) "
        "or leave the row out",
    )
    members.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="HEADER=FIELD",
        help="map a column by hand, e.g. --map 会员名=name (FIELD '-' ignores the column)",
    )
    members.add_argument("--error-report", type=Path, default=None, help="where to save it")
    members.add_argument("--dry-run", action="store_true", help="check only; write nothing")
    members.add_argument("--lang", choices=("zh_CN", "en"), default="zh_CN")
    add_workspace_args(members)
    members.set_defaults(func=run_import_members)
    template = kinds.add_parser("template", help="write the blank member import template")
    template.add_argument("-o", "--output", type=Path, required=True, help=".xlsx file to write")
    template.add_argument("--lang", choices=("zh_CN", "en"), default="zh_CN")
    template.set_defaults(func=run_template)
    imp.set_defaults(func=lambda args: _usage(imp))

    exp = subparsers.add_parser("export", help="export members or unions to .xlsx / .csv")
    exp.add_argument("what", choices=("members", "unions"))
    exp.add_argument("-o", "--output", type=Path, required=True, help=".xlsx or .csv file")
    exp.add_argument("--union", default=None, help="members of this union only (record id)")
    exp.add_argument(
        "--unmask",
        action="store_true",
        help="full ID numbers and phones (roles that may unmask; every record is audited)",
    )
    exp.add_argument("--lang", choices=("zh_CN", "en"), default="zh_CN")
    add_workspace_args(exp)
    exp.set_defaults(func=run_export)


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help()
    return 2


def resolve_union(ws: Workspace, text: str) -> str | None:
    """A union record id from an id or an exact full name (None when unknown or ambiguous)."""
    from desktop.store import errors

    try:
        rec = ws.records.get(text)
        if rec.form_id == "union":
            return rec.uuid
    except (errors.StoreError, ValueError):
        pass
    hits = [r for r in ws.records.query("union") if r.data.get("full_name") == text]
    return hits[0].uuid if len(hits) == 1 else None


def _apply_map(opened: Any, pairs: list[str], lang: str = "en") -> list[str | None] | str:
    from desktop.reports.import_read import header_key

    mapping = list(opened.mapping)
    keys = [header_key(h) for h in opened.headers]
    for pair in pairs:
        header, sep, field_id = pair.partition("=")
        if not sep:
            return say("map_syntax", lang, pair=pair)
        k = header_key(header)
        if k not in keys:
            return say("map_no_column", lang, header=header)
        if field_id != "-" and field_id not in opened.index.fields:
            return say("map_no_field", lang, field=field_id)
        target = None if field_id == "-" else field_id
        mapping = [None if (f == target and target) else f for f in mapping]
        mapping[keys.index(k)] = target
    return mapping


def _progress(label: str):
    last = [-1]

    def report(done: int, total: int) -> None:
        pct = int(done * 100 / total) if total else 100
        if pct // 10 != last[0] // 10 and sys.stderr.isatty():
            print(f"{label} {pct}%", file=sys.stderr)
        last[0] = pct

    return report


def run_import_members(args: argparse.Namespace) -> int:
    from desktop.domain import member_import as ei

    lang = args.lang
    try:
        opened = ei.open_member_sheet(args.file, None, sheet=args.sheet)
    except ei.ImportFileError as exc:  # before asking for a password: the file is wrong
        return fail(ei.file_message(exc.code, lang, **exc.params))
    ws = open_workspace(args)
    try:
        opened = ei.open_member_sheet(args.file, ws, sheet=args.sheet)  # remembered mappings
        union = resolve_union(ws, args.union)
        if union is None:
            return fail(ei.file_message("file.no_union", lang, union=args.union))
        mapping = _apply_map(opened, args.map, lang)
        if isinstance(mapping, str):
            return fail(mapping)
        try:
            plan = ei.preview_import(
                ws, opened, union, mapping, progress=_progress(say("progress_check", lang))
            )
        except ei.ImportFileError as exc:
            return fail(ei.file_message(exc.code, lang, **exc.params))
        _print_columns(opened, mapping, lang)
        _print_plan(ei, plan, lang)
        outcome = None
        if not args.dry_run:
            outcome = _commit_with_ctrl_c(
                ei, ws, plan, args.on_duplicate, lang, args.on_contradiction
            )
            if outcome.cancelled:
                ranges = ", ".join(f"{a}-{b}" for a, b in outcome.written_ranges()[:10])
                print(say("cancelled", lang, ranges=ranges or "-", count=outcome.not_reached))
            print(say("imported", lang, **outcome.counts()))
        rejected = plan.error_count + (len(outcome.skipped) + len(outcome.failed) if outcome else 0)
        if rejected:
            report = args.error_report or args.file.with_name(args.file.stem + "_errors.xlsx")
            ei.write_error_report(plan, report, outcome, lang)
            print(say("report", lang, path=report))
        if outcome is None:
            return 0 if not rejected else EXIT_PARTIAL
        if outcome.written == 0 and plan.good_count == 0:
            return 1
        return EXIT_PARTIAL if rejected else 0
    finally:
        ws.close()


def _print_plan(ei: Any, plan: Any, lang: str) -> None:
    """The preview: rows checked, the classes of the good rows (they add up), the problems."""
    print(
        say("checked", lang, total=plan.total_rows, good=plan.good_count, errors=plan.error_count)
    )
    counts = plan.class_counts()
    if plan.matches or counts["repeat"]:
        print(say("classes", lang, good=plan.good_count, **counts))
        changed = [m for m in plan.matches.values() if m.kind == "changed"]
        for match in changed[:20]:
            print(say("changed_row", lang, row=match.row, columns="、".join(match.columns)))
    if plan.contradictions:
        print(say("contradictions", lang, count=len(plan.contradictions)))
        for row in sorted(plan.contradictions)[:20]:
            for c in plan.contradictions[row]:
                text = ei.row_message(
                    "import.contradiction", lang, column=c.column, typed=c.typed, from_id=c.from_id
                )
                print(say("row", lang, row=row, text=text))
    for row in sorted(plan.errors)[:20]:
        for err in plan.errors[row]:
            print(say("row", lang, row=row, text=ei.describe(err, lang)))
    if plan.error_count > 20:
        print(say("more_errors", lang, count=plan.error_count - 20))


def _commit_with_ctrl_c(
    ei: Any, ws: Workspace, plan: Any, policy: str, lang: str = "en", contradictions: str = "use_id"
) -> Any:
    """Commit; Ctrl-C stops after the chunk being written (committed chunks stay)."""
    import signal

    stop = {"asked": False}

    def ask(_sig: int, _frame: Any) -> None:
        stop["asked"] = True
        print(say("stopping", lang), file=sys.stderr)

    try:
        previous = signal.signal(signal.SIGINT, ask)
    except ValueError:  # not the main thread
        previous = None
    try:
        return ei.commit_import(
            ws,
            plan,
            policy,
            progress=_progress(say("progress_import", lang)),
            cancel=lambda: stop["asked"],
            contradictions=contradictions,
        )
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)


def _print_columns(opened: Any, mapping: list[str | None], lang: str = "en") -> None:
    parts = []
    for header, field_id in zip(opened.headers, mapping, strict=False):
        if field_id:
            label = opened.form.field(field_id).label
            parts.append(f"{header}→{label.get(lang) or label.get('zh_CN', field_id)}[{field_id}]")
        else:
            parts.append(f"{header}→{say('ignored', lang)}")
    print(say("columns", lang, columns=", ".join(parts)))


def run_template(args: argparse.Namespace) -> int:
    from desktop.domain.member_import import write_member_template

    print(write_member_template(args.output, None, args.lang))
    return 0


def run_export(args: argparse.Namespace) -> int:
    from desktop.reports.excel_export import ExportError, export_records

    form_id = "member" if args.what == "members" else "union"
    ws = open_workspace(args)
    try:
        union = None
        if args.union:
            union = resolve_union(ws, args.union)
            if union is None:
                return fail(f"no union {args.union} in this workspace")
        if args.unmask and not ws.user.can("unmask"):
            return fail(f"role {ws.user.role} may not unmask personal data; export masked")
        try:
            result = export_records(
                ws, form_id, args.output, union_uuid=union, unmask=args.unmask, lang=args.lang
            )
        except (ExportError, OSError) as exc:
            return fail(str(exc))
        note = " (ID numbers and phones masked)" if result.masked else ""
        print(f"{result.rows} {args.what} written to {result.path}{note}")
        return 0
    finally:
        ws.close()
