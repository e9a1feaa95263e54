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


class _Loaded:
    """A session with its template, union name and org-unit name, read from the workspace."""

    def __init__(self, args: argparse.Namespace, session_id: str) -> None:
        from desktop import assessments as ops
        from desktop.store import errors

        ws = open_workspace(args)
        try:
            record = ws.records.get(session_id)
            if record.form_id != ops.FORM_ID:
                raise SystemExit(
                    fail(f"record {session_id} is a {record.form_id} record, not an assessment")
                )
            self.session = ops.Session.from_record(record)
            self.template = ops.template_for(self.session, ws)
            self.union = ops.union_name(ws, self.session.union)
            self.org = ws.org_unit.name if getattr(ws, "org_unit", None) else ""
        except errors.RecordNotFound:
            raise SystemExit(fail(f"no record {session_id} in this workspace")) from None
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


def run_ballot(args: argparse.Namespace) -> int:
    from desktop.reports import assessment_pdf as pdf

    if not 1 <= args.copies <= 5000:
        return fail("--copies: between 1 and 5000", 2)
    sid = _session_id(args)
    if sid:
        loaded = _Loaded(args, sid)
        template, union, year, org = (
            loaded.template,
            loaded.union,
            loaded.session.year,
            loaded.org,
        )
    else:
        template, union, year, org = _blank_template(args), args.union, args.year, ""
    return _write(
        lambda: pdf.ballot_sheet(
            args.output,
            template,
            union_name=union,
            year=year,
            copies=args.copies,
            org_unit_name=org,
        )  # fmt: skip
    )


def run_tally(args: argparse.Namespace) -> int:
    from desktop.reports import assessment_pdf as pdf

    sid = _session_id(args)
    if sid:
        loaded = _Loaded(args, sid)
        return _write(
            lambda: pdf.tally_sheet(
                args.output,
                loaded.template,
                union_name=loaded.union,
                year=loaded.session.year,
                session=loaded.session,
                org_unit_name=loaded.org,
            )  # fmt: skip
        )
    template = _blank_template(args)
    return _write(
        lambda: pdf.tally_sheet(args.output, template, union_name=args.union, year=args.year)
    )


def run_notice(args: argparse.Namespace) -> int:
    from desktop.reports import assessment_pdf as pdf

    sid = _session_id(args)
    if not sid:
        return fail("name the assessment session record id", 2)
    loaded = _Loaded(args, sid)
    if not loaded.session.result:
        return fail(
            "this session has no result yet: its numbers are incomplete or disagree "
            "(open it in UnionDesk to see which)"
        )
    return _write(
        lambda: pdf.result_notice(
            args.output,
            loaded.template,
            loaded.session,
            union_name=loaded.union,
            org_unit_name=loaded.org,
            posting_days=args.days,
        )  # fmt: skip
    )
