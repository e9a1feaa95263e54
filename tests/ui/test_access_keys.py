"""Every visible button and toolbar/menu action has an access key (&-mnemonic), unique in its
window, in both languages; and the underlined letters really work with Alt."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QAbstractButton, QMenu, QMenuBar, QPushButton, QToolBar, QWidget

from desktop.ui import i18n
from desktop.ui.pages.members import MembersPage
from desktop.ui.pages.unions import UnionsPage
from tests.ui.helpers import make_window
from tests.ui.test_language_walk import walk
from tests.ui.test_shortcuts import focused, press

MNEMONIC = re.compile(r"&([^&\s])")


def access_key(text: str) -> str | None:
    found = MNEMONIC.search(text.replace("&&", ""))
    return found.group(1).upper() if found else None


def keyed_controls(top: QWidget) -> list[tuple[str, str]]:
    """(where, text) of every visible button, toolbar button and menu-bar title in ``top``."""
    found: list[tuple[str, str]] = []
    for button in top.findChildren(QAbstractButton):
        if not button.isVisible() or not button.text().strip():
            continue
        if button.window() is not top:
            continue
        in_toolbar = isinstance(button.parentWidget(), QToolBar)
        if isinstance(button, QPushButton) or in_toolbar:
            action = getattr(button, "defaultAction", lambda: None)()
            text = action.text() if action is not None else button.text()
            found.append((f"{type(button).__name__}#{button.objectName()}", text))
    for bar in top.findChildren(QMenuBar):
        if bar.isVisible():
            found += [("menu bar", a.text()) for a in bar.actions() if a.text()]
    return found


def _menu_items(menu: QMenu) -> list[tuple[str, str]]:
    return [
        (f"menu {menu.title()}", a.text())
        for a in menu.actions()
        if a.text() and not a.isSeparator() and a.isVisible()
    ]


def problems_of(where: str, items: list[tuple[str, str]]) -> list[str]:
    bad: list[str] = []
    seen: dict[str, list[str]] = defaultdict(list)
    for what, text in items:
        key = access_key(text)
        if key is None:
            bad.append(f"{where} · {what}: {text!r} has no access key")
        else:
            seen[key].append(text)
    for key, texts in seen.items():
        if len(texts) > 1:
            bad.append(f"{where} · Alt+{key} on {len(texts)} controls: {texts}")
    return bad


def _menus_of(top: QWidget) -> list[QMenu]:
    """Drop-down menus of visible toolbar buttons (e.g. Export ▾)."""
    menus = []
    for button in top.findChildren(QAbstractButton):
        menu = getattr(button, "menu", lambda: None)()
        if button.isVisible() and menu is not None and button.window() is top:
            menus.append(menu)
    return menus


def walk_problems(qtbot: Any, window: Any, ws: Any, english: bool) -> tuple[list[str], int]:
    problems: list[str] = []
    count = 0
    for where, top in walk(qtbot, window, ws):
        items = _menu_items(top) if isinstance(top, QMenu) else keyed_controls(top)
        if not isinstance(top, QMenu):
            for menu in _menus_of(top):
                problems += problems_of(f"{where} {menu.title()}", _menu_items(menu))
                items_of_menu = _menu_items(menu)
                count += len(items_of_menu)
                if english:
                    problems += [
                        f"{where} · {t!r}: (&X) in English" for _w, t in items_of_menu if "(&" in t
                    ]
        count += len(items)
        problems += problems_of(where, items)
        if english:  # English underlines a letter of the word, Chinese appends (&X)
            problems += [f"{where} · {w}: {t!r} has (&X) in English" for w, t in items if "(&" in t]
    return problems, count


@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_every_button_and_action_has_a_unique_access_key(
    qtbot: Any, demo_ws: Any, workspace_dir: Path, language: str
) -> None:
    window = make_window(qtbot, workspace_dir, demo_ws)
    i18n.set_language(language)
    try:
        problems, count = walk_problems(qtbot, window, demo_ws, language == "en")
    finally:
        i18n.set_language("zh_CN")
        window.close_workspace()
    assert count > 60
    assert not problems, "\n".join(problems)


def test_the_check_can_fail() -> None:
    assert problems_of("x", [("b", "Save")]) == ["x · b: 'Save' has no access key"]
    assert problems_of("x", [("b", "&Save"), ("c", "保存(&S)")]) != []
    assert problems_of("x", [("b", "Fish && chips(&F)"), ("c", "&Close")]) == []
    assert access_key("新建(&N)") == "N"


def test_alt_keys_do_what_the_underlined_letter_says(
    qtbot: Any, demo_ws: Any, workspace_dir: Path, monkeypatch: Any
) -> None:
    from desktop.ui.import_dialog import ImportDialog

    window = make_window(qtbot, workspace_dir, demo_ws)
    # Alt+I on the Members toolbar opens the import dialog (its toolbar button is underlined)
    opened: list[Any] = []
    monkeypatch.setattr(ImportDialog, "exec", lambda self: opened.append(self) or 0)
    members = window.show_page(MembersPage)
    assert members.roster_actions["import"].text() == "导入…(&I)"
    assert members.roster_actions["import"].toolTip() == "导入… (Alt+I)"
    members.table.setFocus()
    press(qtbot, members.table, "Alt+I")
    qtbot.waitUntil(lambda: len(opened) == 1, timeout=2000)
    # Alt+S in the entry screen saves the record on screen
    unions = window.show_page(UnionsPage)
    unions.table.setFocus()
    unions.select_row(1)
    press(qtbot, unions.table, "Return")
    assert unions.stack.currentWidget() is unions.editor
    assert unions.editor.save_button.text() == "保存(&S)"
    with qtbot.waitSignal(unions.editor.saved, timeout=3000):
        press(qtbot, focused() or window, "Alt+S")
    # Alt+C closes it again (as Esc does)
    press(qtbot, focused() or window, "Alt+C")
    qtbot.waitUntil(lambda: unions.stack.currentWidget() is unions.list_page, timeout=2000)
    i18n.set_language("en")
    assert members.roster_actions["import"].text() == "&Import…"
    assert unions.editor.save_button.toolTip() == "Save (Ctrl+S, Alt+S)"
    i18n.set_language("zh_CN")
    window.close_workspace()


def test_every_step_of_the_import_dialog_has_access_keys(qtbot: Any, demo_ws: Any) -> None:
    from desktop.ui.import_dialog import ImportDialog

    dialog = ImportDialog(demo_ws)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    seen = set()
    for step in range(4):
        dialog._show_step(step)
        controls = keyed_controls(dialog)
        seen |= {text for _w, text in controls}
        assert not problems_of(f"step {step}", controls)
    assert {"下一步(&N)", "检查数据(&K)", "导入(&I)", "关闭(&C)", "上一步(&B)"} <= seen, seen
