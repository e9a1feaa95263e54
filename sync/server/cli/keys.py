"""``rotate-key``, ``reencrypt`` (the key hierarchy, ``keyring.py``), ``grant`` /
``revoke-permission`` (``domain/access.py``) and ``duplicates`` (``domain/lookups.py``)."""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sync import crypto
from sync.server import keyring
from sync.server.config import load_data_dir
from sync.server.errors import ServerSetupError, SyncError


def _server(args: argparse.Namespace) -> Any:  # -> Server (imported lazily, like cli/main.py)
    from sync.server.runner import open_server

    return open_server(Path(args.data))


CRASH_ENV = "UNIONDESK_SERVER_CRASH_AT"  # tests: the step of a suite move to be killed at
JOURNAL = Path("keys") / "suite-move.json"  # a suite move under way (removed when it is done)


def _step(name: str) -> None:
    """A step of a suite move is done; the tests kill the process here (``CRASH_ENV``)."""
    if os.environ.get(CRASH_ENV) == name:
        os.kill(os.getpid(), signal.SIGKILL)


def interrupted_move(path: Path) -> str | None:
    """The suite of a move ``rotate-key --crypto-suite`` began and did not finish, if any."""
    try:
        return str(json.loads((path / JOURNAL).read_text(encoding="utf-8"))["suite"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def cmd_rotate_key(args: argparse.Namespace) -> int:
    path = Path(args.data)
    resuming = interrupted_move(path)
    if resuming and args.crypto_suite and args.crypto_suite != resuming:
        raise ServerSetupError(
            f"a move to the {resuming} suite was cut short: finish it first with "
            f"'uniondesk-server rotate-key --data {args.data} --crypto-suite {resuming}'"
        )
    target = resuming or args.crypto_suite
    data = load_data_dir(path)
    kid: str | None = None
    if target and (resuming or target not in (data.signing_suite, data.keys.suite)):
        kid = _move_suite(path, target, resuming is not None)
        data = load_data_dir(path)
    ring = data.keys
    provider: keyring.KeyProvider | None = None
    source = keyring.current_source()
    suite = target or ring.suite
    if args.new_master_key_file:
        target_file = Path(args.new_master_key_file).resolve()
        if target_file.is_relative_to(path.resolve()):
            raise ServerSetupError("the new master key file must not be in the data directory")
        provider = keyring.KeyFileProvider.create(target_file, keyring.wrap_of(suite))
        source = keyring.KeySource(key_file=target_file)
    elif args.new_passphrase_file:
        source = keyring.KeySource(passphrase_file=Path(args.new_passphrase_file))
        passphrase = source.passphrase(required=True)
        assert passphrase is not None
        provider = keyring.PassphraseProvider.create(passphrase, keyring.wrap_of(suite))
    if kid is None:
        kid = ring.add_data_key(suite)
    ring.save(provider)
    with keyring.use_source(source):  # the rest of the command under the new master key
        return _after_rotation(args, path, ring, kid)


def _move_suite(path: Path, suite: str, resuming: bool) -> str:
    """Move the server to ``suite`` in steps that a rerun resumes (``keys/suite-move.json``
    says a move is under way; each step is done whole or found undone):

    1. new signing and sealing keys of ``suite`` in ``keys/pending/`` (kept by a rerun);
    2. the new signing key registered at the province (when linked), signed with the old one;
       nothing has changed here when the province cannot be reached; a rerun after a cut once
       the province took the key (the journal not yet saying so) confirms it, signed with the
       new key (``register_key_at_province(resuming=True)``), so the province keeps one key;
    3. the pending keys become the server's (the old ones kept in ``keys/retired/``);
    4. the keyring gets a data key of ``suite`` (SM4 on gm) and its blind index the suite's
       digest (HMAC-SM3), older keys kept and recorded with their suite;
    5. one database transaction (``domain/suite_move.py``): audit chain hash, every value and
       document sealed again, the blind index rebuilt, the devices sent the new keys;
    6. ``config.json`` names the suite, and the journal goes.

    Returns the data key id new values are sealed with."""
    from sync.server.config import prepare_server_keys, switch_server_keys
    from sync.server.domain import suite_move
    from sync.server.domain.relay import register_key_at_province

    journal_path = path / JOURNAL
    journal: dict[str, Any] = {}
    if resuming:
        journal = json.loads(journal_path.read_text(encoding="utf-8"))
        print(f"resuming the move to the {suite} suite that was cut short")
    else:
        old_key = load_data_dir(path).signing_key
        journal = {"suite": suite, "move_id": str(uuid.uuid4()), "registered": False,
                   "old_key_id": crypto.key_id(crypto.public_bytes(old_key))}  # fmt: skip
        _write_journal(journal_path, journal)
    server = _server(argparse.Namespace(data=str(path)))
    old = str(journal.get("old_key_id") or crypto.key_id(server.signing_public))
    try:
        new_signing = prepare_server_keys(server.data, suite)
        _step("prepared")
        if new_signing is not None and not journal.get("registered"):
            try:
                register_key_at_province(server, new_signing, resuming=resuming)
                _step("province-took-key")  # the province has it; the journal does not say so
            except SyncError as exc:
                raise ServerSetupError(
                    f"the province did not take the new key ({exc.code}: {exc}); the server "
                    "still runs on its old keys: run this command again when the province "
                    "can be reached"
                ) from exc
            journal["registered"] = True
            _write_journal(journal_path, journal)
            _step("registered")
        switch_server_keys(server.data, suite, _step)
    finally:
        server.store.close()
    data = load_data_dir(path)
    ring = data.keys
    if ring.key_suites.get(ring.current, ring.suite) != suite or ring.suite != suite:
        for kid_ in ring.data_keys:  # each older key keeps its suite explicitly
            ring.key_suites.setdefault(kid_, ring.suite)
        if ring.key_suites[ring.current] != suite:
            ring.add_data_key(suite)
        ring.suite = suite  # the blind index's digest, and new keys'
        ring.key_suites = {k: v for k, v in ring.key_suites.items() if v != suite}
        ring.save()
    _step("keyring")
    server = _server(argparse.Namespace(data=str(path)))
    try:
        result = suite_move.finish_in_database(
            server, journal["move_id"], suite, _step, journal.get("old_key_id")
        )
    finally:
        server.store.close()
    _step("database-committed")
    if data.config.crypto_suite != suite:
        data.config.crypto_suite = suite
        data.save_config()
    journal_path.unlink()
    if result.already:
        print("the database step had been done before the cut; the move is finished")
    print(f"signing and sealing keys moved to the {suite} suite (signing key "
          f"{crypto.key_id(server.signing_public)}; the old one {old} is kept to verify what it "
          f"signed); {result.resealed} record(s) and {result.documents} document(s) sealed "
          f"again with data key {ring.current}, {result.indexed} blind-index row(s) rebuilt; "
          f"{result.announced} device(s) get the new keys with their next sync and re-key")  # fmt: skip
    print("restart 'uniondesk-server serve' so that it signs and opens with the new keys")
    return ring.current


def _write_journal(path: Path, journal: dict[str, Any]) -> None:
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(json.dumps(journal) + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def _after_rotation(args: argparse.Namespace, path: Path, ring: keyring.Keyring, kid: str) -> int:
    from sync.server.domain import audit_log

    server = _server(args)
    with server.store.write() as conn:
        detail = {"data_key": kid, "master": ring.provider.describe()["kind"],
                  "suite": ring.key_suites.get(kid, ring.suite)}  # fmt: skip
        audit_log.append(conn, "key_rotated", "admin", "keyring", detail)
    print(f"new data key {kid}; keyring re-wrapped by the {keyring.describe_master(path, ring)}")
    if args.reencrypt:
        return _reencrypt(server, args)
    print(f"values sealed before stay readable; 'uniondesk-server reencrypt --data {args.data}' "
          "re-seals them with the new key")  # fmt: skip
    print("a running serve moves to the new data key within a second; its next start needs "
          "the master key the keyring is wrapped by now")  # fmt: skip
    return 0


def _reencrypt(server: Any, args: argparse.Namespace) -> int:
    from sync.server.domain import audit_log
    from sync.server.domain.reencrypt import keys_in_use, reencrypt

    def show(p: Any) -> None:  # a live counter on a terminal only
        print(f"\rre-sealed {p.resealed} value(s)…", end="", flush=True)

    live = sys.stdout.isatty()
    progress = reencrypt(server.store, server.sealer, on_slice=show if live else None)
    if live:
        print()
    ring = keyring.load(server.data.path)  # as rotate-key left it
    unused = sorted(set(ring.data_keys) - keys_in_use(server.store) - {ring.current})
    dropped = ring.drop_data_keys(keys_in_use(server.store)) if args.drop_unused else []
    if dropped:
        ring.save()
    with server.store.write() as conn:
        detail = {"resealed": progress.resealed, "dropped": ",".join(dropped)}
        audit_log.append(conn, "reencrypted", "admin", "keyring", detail)
    print(f"re-sealed {progress.resealed} value(s) with data key {ring.current}"
          + (f"; dropped unused key(s) {', '.join(dropped)}" if dropped else ""))  # fmt: skip
    if unused and not dropped:
        print(f"no stored value uses {', '.join(unused)} any more; 'uniondesk-server reencrypt "
              f"--data {args.data} --drop-unused' removes it from the keyring once every "
              "running server has moved to the new key (about a second after rotate-key)")  # fmt: skip

    return 0


def cmd_reencrypt(args: argparse.Namespace) -> int:
    return _reencrypt(_server(args), args)


def cmd_grant(args: argparse.Namespace) -> int:
    from sync.server.domain.access import set_permission

    held = set_permission(_server(args).store, args.device_id, args.permission, True)
    print(f"device {args.device_id} now holds: {' '.join(sorted(held))}")
    return 0


def cmd_revoke_permission(args: argparse.Namespace) -> int:
    from sync.server.domain.access import set_permission

    held = set_permission(_server(args).store, args.device_id, args.permission, False)
    print(f"device {args.device_id} now holds: {' '.join(sorted(held)) or 'no permissions'}")
    return 0


def cmd_duplicates(args: argparse.Namespace) -> int:
    from sync.server.domain.lookups import duplicate_people

    groups = duplicate_people(_server(args), field=args.field, form_id=args.form)
    if args.json:
        print(json.dumps([[h.__dict__ for h in g] for g in groups], ensure_ascii=False, indent=2))
        return 0
    for n, group in enumerate(groups, 1):
        print(f"{n}. one {args.field} in {len(group)} records:")
        for h in group:
            print(f"   {h.record_uuid} v{h.version}  {h.org_unit}")
    print(f"{len(groups)} group(s) of records sharing one {args.field}")
    return 0


def add_commands(command: Callable[..., argparse.ArgumentParser]) -> None:
    from sync.server.domain.access import PERMISSIONS

    p = command(
        "rotate-key",
        cmd_rotate_key,
        "new data key (and optionally a new master key); --reencrypt re-seals the stored values",
    )
    new = p.add_mutually_exclusive_group()
    new.add_argument(
        "--new-master-key-file", metavar="FILE", help="wrap the keyring by this key file"
    )
    new.add_argument(
        "--new-passphrase-file", metavar="FILE", help="wrap the keyring by this passphrase"
    )
    p.add_argument(
        "--reencrypt", action="store_true", help="re-seal every stored value now (resumable)"
    )
    p.add_argument(
        "--crypto-suite",
        choices=("intl", "gm"),
        help="the new data key's suite (gm: SM4-GCM); values sealed before keep opening. On a "
        "server whose signing keys are of another suite, they move too (gm: SM2): the province "
        "is told first, devices re-key through their inbox, earlier signatures stay verifiable",
    )
    p.add_argument(
        "--drop-unused", action="store_true", help="with --reencrypt: then forget unused keys"
    )
    p = command(
        "reencrypt", cmd_reencrypt, "re-seal the values still sealed with an older data key"
    )
    p.add_argument("--drop-unused", action="store_true", help="then forget keys nothing uses")
    for name, func, what in (("grant", cmd_grant, "give a device a permission"),
                             ("revoke-permission", cmd_revoke_permission, "take it back")):  # fmt: skip
        p = command(name, func, what)
        p.add_argument("device_id")
        p.add_argument("permission", choices=PERMISSIONS)
    p = command("duplicates", cmd_duplicates, "records sharing one sensitive value (blind index)")
    p.add_argument("--field", default="id_number")
    p.add_argument("--form", default="member")
    p.add_argument("--json", action="store_true")
