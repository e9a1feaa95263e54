"""Fixtures for the store tests: real SQLCipher workspaces in tmp folders, light Argon2id."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop.store import KdfParams, Workspace

FAST_KDF = KdfParams(memory_kib=1024, iterations=1, lanes=1)
ADMIN_PW = "Chief-pass-1"
#: the suite of the workspaces these tests make (``UNIONDESK_TEST_SUITE=gm`` runs them all on gm)
SUITE = os.environ.get("UNIONDESK_TEST_SUITE", "intl")


@pytest.fixture
def ws_path(tmp_path: Path) -> Path:
    return tmp_path / "ws"


@pytest.fixture
def created(ws_path: Path) -> Iterator[tuple[Workspace, str]]:
    ws, rk = Workspace.create(
        ws_path,
        org_unit_code="330106001",
        org_unit_name="西溪街道总工会",
        admin_user="admin",
        admin_password=ADMIN_PW,
        kdf=FAST_KDF,
        crypto_suite=SUITE,
    )
    yield ws, rk
    ws.close(backup=False)


@pytest.fixture
def ws(created: tuple[Workspace, str]) -> Workspace:
    return created[0]


def reopen(path: Path, user: str = "admin", password: str = ADMIN_PW) -> Workspace:
    return Workspace.open(path, user=user, password=password, kdf=FAST_KDF)
