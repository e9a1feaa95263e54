"""Workspace administration from the command line (headless).

``uniondesk init [--crypto-suite intl|gm]``, ``user add|remove|passwd|list``, ``backup``,
``restore``, ``check``, ``rotate-key`` and ``crypto-suite [--set gm]``. Passwords come from a prompt, ``--password-stdin`` (one line each, in the order
the command asks: your own password first, then a new one) or the ``UNIONDESK_PASSWORD`` /
``UNIONDESK_NEW_PASSWORD`` environment variables. ``--recovery-key`` opens with the recovery key
(read the same way, or from ``UNIONDESK_RECOVERY_KEY``) instead of a user's password.

Exit codes: 0 done, 1 error, 2 bad input, 3 ``check`` found problems or the workspace is damaged.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from desktop.cli.common import PASSWORD_ENV, add_workspace_args, fail, workspace_dir

NEW_PASSWORD_ENV = "UNIONDESK_NEW_PASSWORD"
RECOVERY_ENV = "UNIONDESK_RECOVERY_KEY"
EXIT_DAMAGED = 3


class CliError(Exception):
    """A failure with a clear message and an exit code."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


class Secrets:
    """Reads secrets in order from stdin lines (``--password-stdin``), env, or a prompt."""

    def __init__(self, args: argparse.Namespace) -> None:
        self._stdin = bool(getattr(args, "password_stdin", False))

    def read(self, env: str, prompt: str, *, confirm: bool = False) -> str:
        if self._stdin:
            line = sys.stdin.readline()
            if not line:
                raise CliError("expected another line on standard input (--password-stdin)", 2)
            return line.rstrip("\r\n")
        if os.environ.get(env) is not None:
            return os.environ[env]
        import getpass

        value = getpass.getpass(prompt)
        if confirm and sys.stdin.isatty() and getpass.getpass("Again: ") != value:
            raise CliError("the two entries differ", 2)
        return value


def add_common(parser: argparse.ArgumentParser, *, recovery: bool = True) -> None:
    add_workspace_args(parser)
    if recovery:
        parser.add_argument(
            "--recovery-key",
            action="store_true",
            help=f"unlock with the recovery key instead of a password (or set {RECOVERY_ENV})",
        )


def open_workspace(args: argparse.Namespace, secrets: Secrets | None = None) -> Any:
    """Open the workspace named by ``--workspace`` as ``--user`` (or with the recovery key)."""
    from desktop.store import Workspace, errors

    path = workspace_dir(args)
    if not path.exists():
        raise CliError(f"workspace not found: {path} (create one with: uniondesk init)")
    secrets = secrets or Secrets(args)
    try:
        if getattr(args, "recovery_key", False):
            return Workspace.open_with_recovery_key(
                path, secrets.read(RECOVERY_ENV, "Recovery key: ")
            )
        return Workspace.open(
            path, user=args.user or "admin", password=secrets.read(PASSWORD_ENV, "Password: ")
        )
    except (errors.CorruptWorkspace, errors.NewerWorkspaceVersion) as exc:
        raise CliError(f"cannot open the workspace at {path}: {exc}", EXIT_DAMAGED) from None
    except errors.StoreError as exc:
        raise CliError(f"cannot open the workspace at {path}: {exc}") from None


def _run(fn: Any) -> Any:
    def wrapper(args: argparse.Namespace) -> int:
        from desktop.store import errors

        try:
            return int(fn(args) or 0)
        except CliError as exc:
            return fail(str(exc), exc.code)
        except errors.PermissionDenied as exc:
            return fail(str(exc))
        except (errors.WeakPassword, errors.UserExists, errors.UnknownUser, ValueError) as exc:
            return fail(str(exc), 2)
        except errors.StoreError as exc:
            return fail(str(exc))

    return wrapper


def register(subparsers: argparse._SubParsersAction) -> None:
    init = subparsers.add_parser("init", help="create a new encrypted workspace")
    add_workspace_args(init)
    init.add_argument(
        "--org-unit", required=True, metavar="CODE", help="org-unit code of this workspace"
    )
    init.add_argument(
        "--org-name", default="", metavar="NAME", help="org-unit name, e.g. 西溪街道总工会"
    )
    init.add_argument(
        "--admin",
        default=None,
        metavar="NAME",
        help="administrator user name (default: --user or admin)",
    )
    init.add_argument(
        "--crypto-suite",
        choices=("intl", "gm"),
        default="intl",
        help="gm: ID numbers and phones also SM4-encrypted inside the file, HMAC-SM3 search"
        " indexes, SM2/SM4 key slots (default: intl; a township follows its county's suite"
        " at enrollment)",
    )
    init.set_defaults(func=_run(run_init))

    user = subparsers.add_parser("user", help="manage users (add, remove, passwd, list)")
    usub = user.add_subparsers(dest="user_command", metavar="ACTION", required=True)
    add = usub.add_parser("add", help="add a user (asks for the new user's password)")
    add_common(add)
    add.add_argument("name", help="new user name")
    add.add_argument("--role", default="clerk", choices=("admin", "clerk", "auditor", "reviewer"))
    add.set_defaults(func=_run(run_user_add))
    rm = usub.add_parser("remove", help="remove a user (their key slot is deleted)")
    add_common(rm)
    rm.add_argument("name")
    rm.set_defaults(func=_run(run_user_remove))
    pw = usub.add_parser("passwd", help="change a password (yours, or any user's as admin)")
    add_common(pw)
    pw.add_argument("name", nargs="?", default=None, help="whose password (default: --user)")
    pw.set_defaults(func=_run(run_user_passwd))
    ls = usub.add_parser("list", help="list users and roles")
    add_common(ls)
    ls.set_defaults(func=_run(run_user_list))

    backup = subparsers.add_parser("backup", help="write an encrypted backup file")
    add_common(backup)
    backup.add_argument(
        "--output",
        "-o",
        type=Path,
        default=None,
        metavar="FILE_OR_DIR",
        help="backup file or folder (default: <workspace>/backups)",
    )
    backup.set_defaults(func=_run(run_backup))

    restore = subparsers.add_parser(
        "restore", help="restore a backup into an empty workspace folder"
    )
    add_common(restore)
    restore.add_argument("backup_file", type=Path, metavar="BACKUP_FILE")
    restore.set_defaults(func=_run(run_restore))

    check = subparsers.add_parser(
        "check", help="check database integrity, audit chain and key slots"
    )
    add_common(check)
    check.set_defaults(func=_run(run_check))

    rotate = subparsers.add_parser(
        "rotate-key", help="re-key the database and re-wrap every key slot"
    )
    add_common(rotate)
    rotate.set_defaults(func=_run(run_rotate))

    suite = subparsers.add_parser(
        "crypto-suite", help="print the workspace's crypto suite, or move it to gm (admin)"
    )
    add_common(suite)
    suite.add_argument(
        "--set",
        choices=("gm",),
        default=None,
        metavar="SUITE",
        help="move the workspace to this suite (gm; a gm workspace does not move back)",
    )
    suite.set_defaults(func=_run(run_crypto_suite))


def run_init(args: argparse.Namespace) -> int:
    from desktop.store import Workspace

    path = workspace_dir(args)
    admin = args.admin or args.user or "admin"
    password = Secrets(args).read(PASSWORD_ENV, f"Password for {admin}: ", confirm=True)
    ws, recovery_key = Workspace.create(
        path,
        org_unit_code=args.org_unit,
        org_unit_name=args.org_name,
        admin_user=admin,
        admin_password=password,
        crypto_suite=args.crypto_suite,
    )
    ws.close(backup=False)
    print(f"workspace created: {path}")
    print(f"crypto suite: {args.crypto_suite}")
    print(f"administrator: {admin}")
    print("RECOVERY KEY (shown once; print or write it down and keep it locked away):")
    print(f"    {recovery_key}")
    return 0


def run_user_add(args: argparse.Namespace) -> int:
    secrets = Secrets(args)
    with open_workspace(args, secrets) as ws:
        new = secrets.read(NEW_PASSWORD_ENV, f"Password for new user {args.name}: ", confirm=True)
        u = ws.users.add(args.name, new, args.role)
    print(f"user added: {u.name} ({u.role})")
    return 0


def run_user_remove(args: argparse.Namespace) -> int:
    with open_workspace(args) as ws:
        ws.users.remove(args.name)
    print(f"user removed: {args.name} (run rotate-key so old copies of the key file stop working)")
    return 0


def run_user_passwd(args: argparse.Namespace) -> int:
    secrets = Secrets(args)
    with open_workspace(args, secrets) as ws:
        name = args.name or ws.user.name
        new = secrets.read(NEW_PASSWORD_ENV, f"New password for {name}: ", confirm=True)
        ws.users.change_password(name, new)
    print(f"password changed: {name}")
    return 0


def run_user_list(args: argparse.Namespace) -> int:
    with open_workspace(args) as ws:
        for u in ws.users.list():
            print(f"{u.name}\t{u.role}")
    return 0


def run_backup(args: argparse.Namespace) -> int:
    from desktop.store.workspace import BACKUP_DIR

    with open_workspace(args) as ws:
        dest = args.output or (ws.path / BACKUP_DIR)
        path = ws.backup(dest)
        ws.close(backup=False)
    print(f"backup written: {path}")
    return 0


def run_restore(args: argparse.Namespace) -> int:
    from desktop.store import Workspace

    path = workspace_dir(args)
    secrets = Secrets(args)
    if args.recovery_key:
        ws = Workspace.restore(
            args.backup_file, path, recovery_key=secrets.read(RECOVERY_ENV, "Recovery key: ")
        )
    else:
        ws = Workspace.restore(
            args.backup_file,
            path,
            user=args.user or "admin",
            password=secrets.read(PASSWORD_ENV, "Password: "),
        )
    report = ws.check()
    ws.close(backup=False)
    print(f"restored into {path}: {'checks clean' if report.ok else 'PROBLEMS FOUND'}")
    return 0 if report.ok else EXIT_DAMAGED


def run_check(args: argparse.Namespace) -> int:
    ws = open_workspace(args)
    try:
        report = ws.check()
        print(
            f"database pages and integrity: {'ok' if not any(p.startswith(('cipher', 'integrity')) for p in report.problems) else 'FAILED'}"
        )
        print(f"audit chain: {report.audit.message}")
        slot_problems = [p for p in report.problems if "slot" in p.lower()]
        print(f"key slots: {'ok' if not slot_problems else 'FAILED'}")
        for p in report.problems:
            print(f"  problem: {p}")
    finally:
        ws.close(backup=False)
    return 0 if report.ok else EXIT_DAMAGED


def run_crypto_suite(args: argparse.Namespace) -> int:
    with open_workspace(args) as ws:
        if args.set is not None:
            moved = ws.adopt_crypto_suite(args.set)
            print(
                f"moved to {args.set}: personal data re-encrypted, search indexes rebuilt"
                if moved
                else f"already {args.set}"
            )
        print(f"crypto suite: {ws.crypto_suite}")
        slots = ws.key_slot_suites()
        on = sum(1 for _, _, s in slots if s == ws.crypto_suite)
        print(f"key slots on {ws.crypto_suite}: {on} of {len(slots)}")
        for _kind, user, s in slots:
            if s != ws.crypto_suite:
                who = f"user {user}" if user else "the recovery key"
                print(f"  {who}: still {s}; becomes {ws.crypto_suite} at its next sign-in")
    return 0


def run_rotate(args: argparse.Namespace) -> int:
    with open_workspace(args) as ws:
        ws.rotate_key()
    print("database re-keyed; every remaining key slot re-wrapped")
    return 0
