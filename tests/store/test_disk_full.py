"""Acceptance: a full disk fails the save with a clear error; the workspace opens and verifies.

Uses a real, small tmpfs mount (needs root and mount permission, as in CI containers here).
Where mounting is impossible the test is skipped with the reason; there is no simulated variant.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from desktop.store import Workspace, errors
from tests.store import helpers as h
from tests.store.conftest import ADMIN_PW, FAST_KDF, reopen

pytestmark = pytest.mark.slow


@pytest.fixture
def small_disk(tmp_path: Path):
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        pytest.skip("needs root to mount a small tmpfs")
    r = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mnt)], capture_output=True
    )
    if r.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {r.stderr.decode().strip()}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


def test_full_disk_fails_the_save_clearly_and_loses_nothing(small_disk):
    ws, _ = Workspace.create(
        small_disk / "ws", org_unit_code="330106001", admin_password=ADMIN_PW, kdf=FAST_KDF
    )
    u = ws.records.save("union", h.union()).uuid
    saved: list[str] = []
    filler = small_disk / "filler"
    with open(filler, "wb") as fh:  # leave a little room, then run out of it
        free = os.statvfs(small_disk).f_bavail * os.statvfs(small_disk).f_frsize
        fh.write(b"\0" * max(0, free - 400_000))
    with pytest.raises(errors.DiskFull) as exc:
        for i in range(5000):
            saved.append(ws.records.save("member", h.member(i, u)).uuid)
    assert "disk is full" in str(exc.value).lower()
    assert h.resident_id(len(saved)) not in str(exc.value)
    assert saved, "some saves should fit before the disk filled"
    ws.close()  # the automatic backup cannot fit either: close must still work
    for _ in range(2):
        try:
            w = reopen(small_disk / "ws")
            break
        except errors.StorageError:
            filler.unlink()  # opening needs a few KiB for the -shm file on some kernels
    try:
        assert w.records.count("member") == len(saved)
        assert all(w.records.get(s).version == 1 for s in saved[-3:])
        report = w.check()
        assert report.ok, report.problems
        if filler.exists():
            filler.unlink()
        again = w.records.save("member", h.member(len(saved) + 1, u))
        assert w.records.get(again.uuid).version == 1
    finally:
        w.close(backup=False)
