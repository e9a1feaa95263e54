"""A real (encrypted) workspace with three grassroots unions, shared by the assessment tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop.store import Workspace
from desktop.store.keyslots import KdfParams

FAST_KDF = KdfParams(memory_kib=8192, iterations=1, lanes=1)

UNIONS = {
    "yunqi": "杭州云栖科技有限公司工会",
    "xixi": "西溪湿地景区联合工会",
    "jiangnan": "江南纺织厂工会",
}


@pytest.fixture()
def ws(tmp_path: Path) -> Iterator[Workspace]:
    workspace, _recovery = Workspace.create(
        tmp_path / "ws",
        org_unit_code="330106001",
        org_unit_name="西溪街道总工会",
        admin_user="admin",
        admin_password="Correct-horse-9",
        kdf=FAST_KDF,
    )
    try:
        yield workspace
    finally:
        workspace.close(backup=False)


@pytest.fixture()
def unions(ws: Workspace) -> dict[str, str]:
    """key -> union record uuid."""
    made = {}
    for key, name in UNIONS.items():
        record = ws.records.save(
            "union",
            {"full_name": name, "union_type": "independent", "status": "active"},
            status="draft",  # the other required fields do not matter here
        )
        made[key] = record.uuid
    return made
