"""``uniondesk gui`` and ``uniondesk demo``: start the desktop program."""

from __future__ import annotations

import argparse
import os
import sys

from desktop.cli.common import add_workspace_args, fail

NO_DISPLAY_MESSAGE = (
    "no display found: UnionDesk is a desktop program and needs a graphical session "
    "(DISPLAY or WAYLAND_DISPLAY is not set). Start it from the desktop, or use the "
    "headless subcommands (uniondesk --help)."
)


def display_available() -> bool:
    """True when Qt can open a window (or a platform plugin was chosen explicitly)."""
    if sys.platform in ("win32", "darwin"):
        return True
    if os.environ.get("QT_QPA_PLATFORM"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def register(subparsers: argparse._SubParsersAction) -> None:
    gui = subparsers.add_parser("gui", help="start the desktop program (the default)")
    add_workspace_args(gui, user=False)
    add_quit_after(gui)
    gui.set_defaults(func=run_gui)
    demo = subparsers.add_parser("demo", help="start the desktop program on a demo workspace")
    add_quit_after(demo)
    demo.set_defaults(func=run_demo, workspace=None)


def add_quit_after(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--quit-after",
        type=float,
        default=None,
        metavar="SECONDS",
        help="close the program after this many seconds (smoke tests, start-up timing)",
    )


def run_gui(args: argparse.Namespace) -> int:
    if not display_available():
        return fail(NO_DISPLAY_MESSAGE, 3)
    from desktop.ui.app import run_app

    return run_app(workspace=args.workspace, demo=False, quit_after=args.quit_after)


def run_demo(args: argparse.Namespace) -> int:
    if not display_available():
        return fail(NO_DISPLAY_MESSAGE, 3)
    from desktop.ui.app import run_app

    return run_app(workspace=None, demo=True, quit_after=args.quit_after)
