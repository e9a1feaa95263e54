"""``uniondesk report stats --as-of DATE [--period YEAR] -o FILE.xlsx|.pdf``: the statistics
tables (统计报表) of the open township workspace, computed through :mod:`forms.stats`.

With ``--from-server [--unit CODE]`` a workspace enrolled as a county reviewer device fetches
the county's own tables by the signed call (:func:`desktop.link.review.fetch_stats`) and
writes them with the same writer; errors are in the language of ``--lang``.

``report`` takes one target per kind of report (``stats`` for now), the way ``print`` does.
"""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desktop.cli.common import add_workspace_args, fail, open_workspace

if TYPE_CHECKING:
    from desktop.store import Workspace

TABLE_IDS = ("organisation", "membership", "realname", "assessment", "funds_review")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "report",
        help="statistics tables (统计报表) to an .xlsx or PDF file",
        description="Write a report of the workspace. Run `uniondesk report stats --help`.",
    )
    targets = parser.add_subparsers(dest="target", metavar="TARGET")
    st = targets.add_parser(
        "stats",
        help="the statistics tables as of a date (xlsx or PDF by the file name)",
        description="The five statistics tables of this township, one row per grassroots "
        "union and the total, as of a date. Counts only: no personal data.",
    )
    st.add_argument("--as-of", required=True, help="as-of date, YYYY-MM-DD")
    st.add_argument("--period", type=int, default=None, help="year (default: the as-of year)")
    st.add_argument("-o", "--output", type=Path, required=True, help="FILE.xlsx or FILE.pdf")
    st.add_argument(
        "--table",
        action="append",
        choices=TABLE_IDS,
        default=None,
        help="only this table (repeatable; default: all five)",
    )
    st.add_argument(
        "--from-server",
        action="store_true",
        help="fetch the county's tables from its server (a reviewer device's workspace)",
    )
    st.add_argument(
        "--unit",
        default=None,
        metavar="CODE",
        help="with --from-server: the org unit under the county (default: the county)",
    )
    st.add_argument("--lang", choices=("zh_CN", "en"), default="zh_CN", help="language")
    add_workspace_args(st)
    st.set_defaults(func=run_stats)
    parser.set_defaults(func=lambda args: _no_target(parser))


def _no_target(parser: argparse.ArgumentParser) -> int:
    parser.print_help()
    return 2


def run_stats(args: argparse.Namespace) -> int:
    from desktop.domain.stats_facts import township_report
    from printing.stats_files import write_report

    try:
        dt.date.fromisoformat(args.as_of)
    except ValueError:
        return fail(f"--as-of {args.as_of!r} is not a date like 2026-06-30", 2)
    if args.output.suffix.lower() not in (".xlsx", ".pdf"):
        return fail(f"{args.output.name}: the output file must end in .xlsx or .pdf", 2)
    if args.unit is not None and not args.from_server:
        return fail(say("unit_needs_server", args.lang), 2)
    ws = open_workspace(args)
    try:
        if args.from_server:
            report = _fetch(ws, args)
            if isinstance(report, int):
                return report
        else:
            report = township_report(ws, args.as_of, args.period)
        try:
            path = write_report(report, args.output, tables=args.table, lang=args.lang)
        except OSError as exc:
            return fail(f"cannot write {args.output}: {exc}")
        print(path)
        return 0
    finally:
        ws.close()


#: the words of ``--from-server`` failures, by the link layer's error code
TEXT: dict[str, dict[str, str]] = {
    "unit_needs_server": {
        "zh_CN": "--unit 只能与 --from-server 一起使用",
        "en": "--unit goes with --from-server",
    },
    "not_enrolled": {
        "zh_CN": "本工作区尚未在县级服务器登记为审核设备，无法从服务器获取统计报表",
        "en": "this workspace is not enrolled with a county server as a reviewer device, "
        "so it cannot fetch the county's tables",
    },
    "not_allowed": {
        "zh_CN": "无权从县级服务器获取统计报表：需要以县级审核员（审核权限）登录，"
        "且本工作区登记为审核设备（{detail}）",
        "en": "not allowed to fetch the county's tables: sign in as a county reviewer (review "
        "permission) on a workspace enrolled as a reviewer device ({detail})",
    },
    "unreachable": {
        "zh_CN": "无法连接县级服务器 {server}，未写入任何文件；请检查网络后重试",
        "en": "the county server {server} cannot be reached; nothing was written, try again later",
    },
    "bad_request": {
        "zh_CN": "县级服务器拒绝了请求：{detail}",
        "en": "the county server refused the request: {detail}",
    },
    "other": {
        "zh_CN": "从县级服务器获取统计报表失败（{code}）：{detail}",
        "en": "fetching the county's tables failed ({code}): {detail}",
    },
}


def say(key: str, lang: str, **params: str) -> str:
    entry = TEXT[key]
    return (entry.get(lang) or entry["en"]).format(**params)


def _fetch(ws: Workspace, args: argparse.Namespace) -> Any:
    """The county's report, or the exit code after a clear message (4: try again later)."""
    from desktop.link import LinkError, review
    from desktop.link import state as link_state
    from sync.retry import RetryPolicy

    try:
        return review.fetch_stats(
            ws, args.as_of, args.period, args.unit, retry=RetryPolicy(attempts=3)
        )
    except LinkError as exc:
        e = link_state.load_enrollment(ws.settings)
        server = e.server_url if e else "-"
        key = exc.code if exc.code in TEXT else "other"
        message = say(key, args.lang, code=exc.code, detail=str(exc), server=server)
        return fail(message, 4 if exc.code == "unreachable" else 2)
