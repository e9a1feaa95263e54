"""``uniondesk print ballot|tally|notice``: member-assessment printouts (会员评家) as PDF.

- ``print ballot [SESSION_ID] [--union NAME] [--year YEAR] [--copies N] [--template standard|overall]
  -o FILE.pdf``: blank
  paper ballots; needs no workspace unless a session id is given (its union, year and template).
- ``print tally [SESSION_ID] [--union NAME] [--year YEAR] -o FILE.pdf``: the counting sheet,
  blank, or filled from a session (with every keyed ballot listed).
- ``print notice SESSION_ID --workspace DIR --user NAME -o FILE.pdf``: the result notice (公示).
"""

from __future__ import annotations

import argparse
import datetime as _dt
from pathlib import Path
from typing import Any

from desktop.cli.common import add_workspace_args, fail, open_workspace


def register_print(targets: argparse._SubParsersAction) -> None:
    ballot = targets.add_parser(
        "ballot",
        help="blank member-assessment ballots (测评票), N copies",
        description="Print blank member-assessment ballots (会员评家测评票) as PDF.",
    )
    ballot.add_argument("session_id", nargs="?", help="assessment session record id (optional)")
    ballot.add_argument("--copies", type=int, default=1, help="number of ballots (default 1)")
    _common(ballot)
    ballot.set_defaults(func=run_ballot)

    tally = targets.add_parser(
        "tally",
        help="the assessment tally sheet (计票表): blank, or filled from a session",
        description="Print the member-assessment tally sheet as PDF.",
    )
    tally.add_argument("session_id", nargs="?", help="assessment session record id (optional)")
    _common(tally)
    tally.set_defaults(func=run_tally)

    notice = targets.add_parser(
        "notice",
        help="the assessment result notice for posting (公示)",
        description="Print the result notice (公示) of an assessment session as PDF.",
    )
    notice.add_argument("session_id", help="assessment session record id")
    notice.add_argument("--days", type=int, default=5, help="posting period in working days")
    _common(notice)
    notice.set_defaults(func=run_notice)


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--session", dest="session_opt", help="same as SESSION_ID")
    parser.add_argument("--union", default="", help="union name on a blank printout")
    parser.add_argument(
        "--year", type=int, default=_dt.date.today().year, help="assessment year (blank printouts)"
    )
    parser.add_argument(
        "--template-version", type=int, default=None, help="template version (blank printouts)"
    )
    parser.add_argument(
        "--template",
        default=None,
        help="template of a blank printout, e.g. standard or overall (default: the first)",
    )
    parser.add_argument("-o", "--output", type=Path, required=True, help="PDF file to write")
    add_workspace_args(parser)


def _session_id(args: argparse.Namespace) -> str | None:
    return getattr(args, "session_id", None) or args.session_opt


def _printout(args: argparse.Namespace, session_id: str) -> Any:
    """The saved session's printout, read from the workspace (exits with a message if none)."""
    from desktop.domain import assessments as ops
    from desktop.store import errors

    ws = open_workspace(args)
    try:
        return ops.printout_of(ws, session_id)
    except errors.RecordNotFound:
        raise SystemExit(fail(f"no record {session_id} in this workspace")) from None
    except ValueError as exc:
        raise SystemExit(fail(str(exc))) from None
    finally:
        ws.close()


def _blank_template(args: argparse.Namespace) -> Any:
    from forms import assessment as rules

    try:
        return rules.load_template(args.template_version, args.template)
    except KeyError:
        raise SystemExit(fail(f"no assessment template version {args.template_version}")) from None
    except rules.TemplateError as exc:
        raise SystemExit(fail(str(exc), 2)) from None


def _write(build: Any) -> int:
    try:
        path = build()
    except OSError as exc:
        return fail(f"cannot write the PDF: {exc.strerror or exc}")
    print(path)
    return 0


def _blank(args: argparse.Namespace) -> Any:
    from desktop.domain import assessments as ops

    return ops.Printout(_blank_template(args), union_name=args.union, year=args.year)


def run_ballot(args: argparse.Namespace) -> int:
    from desktop.domain import assessments as ops

    if not 1 <= args.copies <= 5000:
        return fail("--copies: between 1 and 5000", 2)
    sid = _session_id(args)
    printout = _printout(args, sid) if sid else _blank(args)
    return _write(lambda: ops.print_document("ballot", args.output, printout, copies=args.copies))


def run_tally(args: argparse.Namespace) -> int:
    from desktop.domain import assessments as ops

    sid = _session_id(args)
    printout = _printout(args, sid) if sid else _blank(args)
    return _write(lambda: ops.print_document("tally", args.output, printout))


def run_notice(args: argparse.Namespace) -> int:
    from desktop.domain import assessments as ops

    sid = _session_id(args)
    if not sid:
        return fail("name the assessment session record id", 2)
    printout = _printout(args, sid)
    if printout.session is None or not printout.session.result:
        return fail(
            "this session has no result yet: its numbers are incomplete or disagree "
            "(open it in UnionDesk to see which)"
        )
    return _write(
        lambda: ops.print_document("notice", args.output, printout, posting_days=args.days)
    )
