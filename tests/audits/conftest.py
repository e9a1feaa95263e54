"""Real encrypted workspaces for the audit tests (light Argon2id), with one user per role."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import forms
from desktop.store import KdfParams, Workspace

FAST_KDF = KdfParams(memory_kib=1024, iterations=1, lanes=1)
PASSWORDS = {
    "admin": "Chief-pass-1",
    "clerk1": "clerk-pass-1",
    "auditor1": "auditor-pass-1",
    "reviewer1": "reviewer-pass-1",
}
ROLES = {"admin": "admin", "clerk1": "clerk", "auditor1": "auditor", "reviewer1": "reviewer"}
HEADER = {
    "union_name": "杭州某某机械有限公司工会委员会",
    "period_start": "2026-01-01",
    "period_end": "2026-06-30",
    "auditors": "张审计、李经审",
    "audit_date": "2026-07-10",
}


@pytest.fixture
def ws_path(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "ws"
    ws, _key = Workspace.create(
        path,
        org_unit_code="330106001",
        org_unit_name="西溪街道总工会",
        admin_user="admin",
        admin_password=PASSWORDS["admin"],
        kdf=FAST_KDF,
    )
    for name, role in ROLES.items():
        if name != "admin":
            ws.users.add(name, PASSWORDS[name], role)
    ws.close(backup=False)
    return path


def open_as(path: Path, user: str) -> Workspace:
    return Workspace.open(path, user=user, password=PASSWORDS[user], kdf=FAST_KDF)


@pytest.fixture
def auditor_ws(ws_path: Path) -> Iterator[Workspace]:
    ws = open_as(ws_path, "auditor1")
    yield ws
    ws.close(backup=False)


def fill(
    rows: list[dict[str, Any]], *, findings: dict[int, str], deadline: str = "2026-12-31"
) -> None:
    """Answer every row: the indexes in ``findings`` non-compliant with that finding."""
    for index, row in enumerate(rows):
        if index in findings:
            row.update(
                result="noncompliant",
                amount=10000 + index * 101,
                finding=findings[index],
                evidence=f"凭证第{index + 1}号",
                rectify=True,
                owner="王会计",
                deadline=deadline,
            )
        else:
            row.update(result="na" if index % 7 == 3 else "compliant")


def big_template_definition(items: int, version: int = 2) -> dict[str, Any]:
    """The shipped definition grown to ``items`` items (long rule texts), as a county would send."""
    raw = copy.deepcopy(forms.load_form("audit_checklist").raw)
    raw["version"] = version
    areas = raw["x_checklist"]["areas"]
    base = [dict(item) for area in areas for item in area["items"]]
    for area in areas:
        area["items"] = []
    for n in range(items):
        source = base[n % len(base)]
        area = areas[n % len(areas)]
        rule = source["rule"]
        area["items"].append(
            {
                "id": f"item_{n:03d}",
                "topic": source["topic"],
                "rule": {
                    "zh_CN": f"第{n + 1}条：{rule['zh_CN']}",
                    "en": f"Rule {n + 1}: {rule['en']}",
                },
                "guidance": source["guidance"],
            }
        )
    return raw
