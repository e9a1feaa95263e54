"""Options and helpers shared by the headless subcommands (workspace, user, password)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from desktop.resources import default_workspace_dir  # here for scripts: the CLI's default

PASSWORD_ENV = "UNIONDESK_PASSWORD"


def add_workspace_args(parser: argparse.ArgumentParser, *, user: bool = True) -> None:
    """``--workspace DIR`` and (optionally) ``--user NAME`` / ``--password-stdin``."""
    parser.add_argument(
        "--workspace",
        type=Path,
        default=None,
        help=f"workspace folder (default: {default_workspace_dir()})",
    )
    if user:
        parser.add_argument("--user", default=None, help="user name (default: admin)")
        parser.add_argument(
            "--password-stdin",
            action="store_true",
            help=f"read the password from standard input (or set {PASSWORD_ENV})",
        )


def workspace_dir(args: argparse.Namespace) -> Path:
    """The workspace folder named on the command line, or the default one."""
    return args.workspace if args.workspace is not None else default_workspace_dir()


def read_password(args: argparse.Namespace, prompt: str = "Password: ") -> str:
    """The password from stdin (``--password-stdin``), the environment, or a prompt."""
    if getattr(args, "password_stdin", False):
        return sys.stdin.readline().rstrip("\r\n")
    env = os.environ.get(PASSWORD_ENV)
    if env is not None:
        return env
    import getpass

    return getpass.getpass(prompt)


def fail(message: str, code: int = 1) -> int:
    """Print a clear error to stderr and return the exit code."""
    print(f"uniondesk: {message}", file=sys.stderr)
    return code


class WorkspaceUnavailable(SystemExit):
    """:func:`open_workspace` could not open the workspace; the reason is already printed and
    ``code`` is the exit status (a ``SystemExit``, so a command may just let it end the run)."""


def open_workspace(args: argparse.Namespace) -> Any:
    """The workspace named by ``--workspace``, opened as ``--user`` with the password from
    ``--password-stdin``, ``UNIONDESK_PASSWORD`` or a prompt; WorkspaceUnavailable otherwise."""
    from desktop.store import Workspace, errors

    folder = workspace_dir(args)
    if not folder.exists():
        raise WorkspaceUnavailable(fail(f"workspace not found: {folder} (use --workspace DIR)"))
    try:
        return Workspace.open(folder, user=args.user or "admin", password=read_password(args))
    except errors.StoreError as exc:
        raise WorkspaceUnavailable(fail(f"cannot open the workspace at {folder}: {exc}")) from None
