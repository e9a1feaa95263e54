"""The Members page on a gm workspace: a search of 1-3 digits of an ID number or phone cannot
find members there (prefix tokens start at 4 characters, docs/CRYPTO.md), so the result line
tells the clerk to type at least 4 digits, in Chinese and in English; 4 digits find them. On an
intl workspace the same short search finds them and says nothing more."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from desktop.store import KdfParams, Workspace
from desktop.ui import i18n
from desktop.ui.pages.members import MembersPage
from tests.store import helpers as h
from tests.ui.helpers import make_window, type_text

LIGHT = KdfParams(memory_kib=8192, iterations=1, lanes=1)
ZH = "请至少输入身份证号或手机号的前 4 位"
EN = "type at least 4 digits of an ID number or phone"


@pytest.mark.parametrize("suite", ["gm", "intl"])
def test_a_short_id_or_phone_search_tells_the_clerk_on_gm(
    qtbot: Any, app: Any, workspace_dir: Path, suite: str
) -> None:
    ws, _ = Workspace.create(workspace_dir, org_unit_code="330106001", admin_user="admin",
                             admin_password="Chief-pass-1",
                             kdf=LIGHT, crypto_suite=suite)  # fmt: skip
    union = ws.records.save("union", h.union()).uuid
    ws.records.save_many("member", [h.member(i, union) for i in range(1, 13)])
    window = make_window(qtbot, workspace_dir, ws)
    try:
        page = window.show_page(MembersPage)
        assert page.model.rowCount() == 12
        page.search_edit.setFocus()
        type_text(qtbot, page.search_edit, "330")
        page.apply_query()
        label = page.count_label.text()
        if suite == "gm":
            assert page.model.rowCount() == 0 and ZH in label, label
        else:
            assert page.model.rowCount() == 12 and ZH not in label, label
        i18n.set_language("en")
        page.apply_query()
        assert (EN in page.count_label.text()) is (suite == "gm"), page.count_label.text()
        i18n.set_language("zh_CN")
        # four digits reach the prefix tokens: found, and nothing more to say
        page.search_edit.setText(h.mobile(5)[:4])
        page.apply_query()
        assert page.model.rowCount() == 12 and ZH not in page.count_label.text()
        page.search_edit.setText(h.mobile(5))
        page.apply_query()
        assert page.model.rowCount() == 1
    finally:
        i18n.set_language("zh_CN")
        window.close_workspace()
