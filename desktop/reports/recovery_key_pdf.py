"""The recovery-key printout: one A4 page with the key, what it is for and how to keep it.

Printed once, when the workspace is created (the key is never stored in clear anywhere else).
The PDF is written by the shared PDF layer (:mod:`printing.pdf`); no Qt here.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from printing.pdf import PdfDocument

TITLE = "工会通 UnionDesk 工作区恢复密钥"


def key_groups(key: str, size: int = 4) -> str:
    """The key spaced in groups (as typed back from paper); dashes already there are kept."""
    key = key.strip()
    if "-" in key or " " in key:
        return key
    return " ".join(key[i : i + size] for i in range(0, len(key), size))


def write_recovery_key_pdf(
    path: Path,
    recovery_key: str,
    *,
    org_unit_code: str,
    org_unit_name: str,
    workspace_id: str = "",
    printed_at: datetime | None = None,
) -> Path:
    """Write the recovery-key sheet for a workspace to ``path``; return the path."""
    doc = PdfDocument(
        path,
        title=TITLE,
        header_left=org_unit_name,
        header_right="恢复密钥 · 机密",
        printed_at=printed_at,
        font_size=11,
    )
    doc.heading("工作区恢复密钥（Recovery key）")
    pairs = [
        ("组织单位", org_unit_name),
        ("单位代码", org_unit_code),
        ("生成时间", (printed_at or datetime.now()).strftime("%Y-%m-%d %H:%M")),
    ]
    if workspace_id:
        pairs.append(("工作区编号", workspace_id))
    doc.key_values(pairs, columns=1)
    doc.spacer(4)
    doc.table(["恢复密钥"], [[key_groups(recovery_key)]], col_widths=[1], repeat_header=False)
    doc.spacer(4)
    doc.heading("用途与保管", level=2)
    for line in (
        "1. 所有用户密码都遗失时，凭此恢复密钥可以打开本工作区并重新设置密码，也可以在另一台电脑上恢复备份。",
        "2. 本密钥只在创建工作区时显示这一次，程序不会再显示或保存它的明文。",
        "3. 请将本页密封后交单位负责人锁入保险柜，不要拍照、扫描或放在电脑旁。",
        "4. 怀疑密钥泄露时，请管理员在“设置”中检查工作区并轮换密钥。",
    ):
        doc.paragraph(line)
    doc.spacer(8)
    doc.paragraph(
        "This key opens the workspace when every password is lost. It is shown only once; "
        "keep this sheet sealed and locked away."
    )
    doc.spacer(10)
    doc.signature_block(["保管人", "单位负责人"])
    return doc.build()
