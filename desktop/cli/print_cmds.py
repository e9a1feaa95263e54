"""``uniondesk print TARGET …``: every printout, headless, as a PDF file.

Each module in :data:`PRINT_TARGET_MODULES` adds its targets with
``register_print(print_subparsers)`` and sets ``func(args) -> int`` on each target's parser, the
same way :mod:`desktop.cli` registers commands. To add a printout, add one line here.
"""

from __future__ import annotations

import argparse
import importlib

PRINT_TARGET_MODULES: tuple[str, ...] = (
    "desktop.cli.print_checklist",
    "desktop.cli.print_roster",
    "desktop.cli.print_assessment",
)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "print",
        help="print a checklist, roster, notice … to a PDF file (no window needed)",
        description="Write a printout as a PDF file. Run `uniondesk print TARGET --help`.",
    )
    targets = parser.add_subparsers(dest="target", metavar="TARGET")
    for name in PRINT_TARGET_MODULES:
        importlib.import_module(name).register_print(targets)
    parser.set_defaults(func=lambda args: _no_target(parser))


def _no_target(parser: argparse.ArgumentParser) -> int:
    parser.print_help()
    return 2
