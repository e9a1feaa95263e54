"""``uniondesk print checklist`` and ``uniondesk print rectifications``.

- ``print checklist --blank [--template ID[@VERSION]] [--definition FILE.json] -o FILE.pdf``
  needs no workspace: the shipped template (or a definition file a county sent) as a blank form.
- ``print checklist RECORD_ID --workspace DIR --user NAME -o FILE.pdf``: the completed report.
- ``print rectifications [RECORD_ID] --workspace DIR --user NAME [--as-of DATE] -o FILE.pdf``:
  the open rectifications of every signed-off checklist (or of one).
"""

from __future__ import annotations

import argparse
import datetime as _dt
from pathlib import Path

from desktop.cli.common import add_workspace_args, fail, open_workspace


def register_print(targets: argparse._SubParsersAction) -> None:
    checklist = targets.add_parser(
        "checklist",
        help="a funds-review checklist: blank (for the field) or completed (the report)",
        description="Print a funds-review checklist (经费审查检查表) as PDF.",
    )
    checklist.add_argument("record_id", nargs="?", help="checklist record id (completed report)")
    checklist.add_argument("--record", dest="record_opt", help="same as RECORD_ID")
    checklist.add_argument(
        "--blank", action="store_true", help="the blank checklist; needs no workspace"
    )
    checklist.add_argument(
        "--template",
        default="audit_checklist",
        help="template (form) id for --blank, optionally ID@VERSION (default: audit_checklist)",
    )
    checklist.add_argument(
        "--definition", type=Path, help="print the blank form of this template definition file"
    )
    checklist.add_argument("--union", default="", help="audited union's name on a blank form")
    _common(checklist)
    checklist.set_defaults(func=run_checklist)

    rect = targets.add_parser(
        "rectifications",
        help="open rectifications (整改事项) across signed-off checklists",
        description="Print the open rectifications, overdue first, as PDF.",
    )
    rect.add_argument("record_id", nargs="?", help="only this checklist's rectifications")
    rect.add_argument("--record", dest="record_opt", help="same as RECORD_ID")
    rect.add_argument("--as-of", default=None, help="the day due/overdue are counted from")
    _common(rect)
    rect.set_defaults(func=run_rectifications)


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-o", "--output", type=Path, required=True, help="PDF file to write")
    parser.add_argument("--lang", choices=("zh_CN", "en"), default="zh_CN", help="language")
    add_workspace_args(parser)


def _done(path: Path) -> int:
    print(path)
    return 0


def run_checklist(args: argparse.Namespace) -> int:
    from desktop.domain import checklists
    from desktop.store import errors

    record_id = args.record_id or args.record_opt
    if args.blank:
        return _blank(args)
    if not record_id:
        return fail("name a checklist record id, or use --blank for the blank form", 2)
    ws = open_workspace(args)
    try:
        rec = ws.records.get(record_id)
        if rec.form_id != checklists.CHECKLIST_FORM:
            return fail(f"record {record_id} is a {rec.form_id} record, not a checklist")
        return _done(checklists.print_report(ws, record_id, args.output, lang=args.lang))
    except errors.RecordNotFound:
        return fail(f"no record {record_id} in this workspace")
    finally:
        ws.close()


def _blank(args: argparse.Namespace) -> int:
    import forms
    from desktop.domain import checklists
    from forms.checklist import TemplateError

    try:
        if args.definition is not None:
            form = forms.load_form_file(args.definition)
        else:
            form_id, _, version = args.template.partition("@")
            form = forms.load_form(form_id, int(version)) if version else forms.load_form(form_id)
        path = checklists.print_blank(
            args.output, definition=form, union_name=args.union, lang=args.lang
        )
    except (KeyError, LookupError, FileNotFoundError) as exc:
        return fail(f"no checklist template {args.template!r} ({exc})")
    except ValueError as exc:  # DefinitionError, TemplateError, a bad @VERSION
        kind = "template" if isinstance(exc, TemplateError) else "definition"
        return fail(f"not a usable checklist {kind}: {exc}")
    except OSError as exc:
        return fail(f"cannot write {args.output}: {exc.strerror or exc}")
    return _done(path)


def run_rectifications(args: argparse.Namespace) -> int:
    from desktop.domain import checklists
    from desktop.store import errors

    try:
        today = _dt.date.fromisoformat(args.as_of) if args.as_of else _dt.date.today()
    except ValueError:
        return fail(f"--as-of: not a date (YYYY-MM-DD): {args.as_of!r}", 2)
    ws = open_workspace(args)
    record_id = args.record_id or args.record_opt
    try:
        if record_id and ws.records.get(record_id).form_id != checklists.CHECKLIST_FORM:
            return fail(f"record {record_id} is not a checklist")
        return _done(
            checklists.print_rectifications(
                ws,
                args.output,
                today=today,
                checklist_uuid=record_id,
                lang=args.lang,
            )
        )
    except errors.RecordNotFound:
        return fail(f"no record {record_id} in this workspace")
    finally:
        ws.close()
