"""The ``uniondesk`` command: the desktop program and its headless subcommands.

Each module listed in ``COMMAND_MODULES`` adds its subcommands through ``register(subparsers)``
and sets ``func`` (taking the parsed arguments, returning an exit code) on each parser.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from desktop import __version__

COMMAND_MODULES: tuple[str, ...] = (
    "desktop.cli.gui_cmds",
    "desktop.cli.workspace_cmds",
    "desktop.cli.records_cmds",
    "desktop.cli.sync_cmds",
    "desktop.cli.print_cmds",
    "desktop.cli.import_cmds",
    "desktop.cli.report_cmds",
    "desktop.cli.audit_cmds",
)


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser with every registered subcommand."""
    parser = argparse.ArgumentParser(
        prog="uniondesk",
        description="UnionDesk: offline records for grassroots trade unions (基层工会).",
    )
    parser.add_argument("--version", action="store_true", help="print versions and exit")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def version_text() -> str:
    """Program, form-definition and protocol versions, one per line."""
    from forms import FORMS_VERSION
    from sync.protocol import PROTOCOL_VERSION

    return f"uniondesk {__version__}\nforms {FORMS_VERSION}\nprotocol {PROTOCOL_VERSION}"


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``uniondesk`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.version:
        print(version_text())
        return 0
    if args.command is None:
        args = parser.parse_args(["gui", *(argv if argv is not None else sys.argv[1:])])
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
