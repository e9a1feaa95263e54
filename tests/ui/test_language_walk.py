"""A walk over every page, its entry screens and the dialogs reachable from them: in English no
CJK character may be left in a label, button, tab, header, tooltip, menu or window title (data
and org-unit names excepted); in Chinese no English words may be left outside data."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QDialog,
    QGroupBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QMenu,
    QTableView,
    QTabWidget,
    QToolBar,
    QWidget,
)

from desktop.ui import i18n
from desktop.ui.pages.assessments import AssessmentsPage
from desktop.ui.pages.checklists import AuditsPage
from desktop.ui.pages.members import MembersPage
from desktop.ui.pages.unions import UnionsPage
from tests.ui.helpers import make_window
from tests.ui.test_translations import ALLOWED, CJK, ENGLISH_WORDS, translations

#: widgets that show data (org-unit, user and union names, typed values), never program text
DATA_WIDGETS = {"BrandSub", "OrgStatus", "UserStatus", "UnionFilter", "TransferMember"}
#: language names are the same in both languages
SAME_IN_BOTH = {"中文", "English"}


def texts_of(root: QWidget) -> list[tuple[str, str]]:
    """(where, text) for every text a person sees in ``root``: labels, buttons, tabs, headers,
    tooltips, placeholders, menus and toolbars, window titles. Table cells are data."""
    found: list[tuple[str, str]] = [(f"{type(root).__name__} title", root.windowTitle())]
    for w in [root, *root.findChildren(QWidget)]:
        if w is not root and not w.isVisibleTo(root) and not isinstance(w, QMenu):
            continue
        if w.objectName() in DATA_WIDGETS or _inside_data(w):
            continue
        name = f"{type(w).__name__}#{w.objectName()}"
        if w.toolTip():
            found.append((name + " tooltip", w.toolTip()))
        if isinstance(w, (QLabel, QAbstractButton)):
            found.append((name, w.text()))
        elif isinstance(w, QGroupBox):
            found.append((name, w.title()))
        elif isinstance(w, QLineEdit):
            found.append((name + " placeholder", w.placeholderText()))
        elif isinstance(w, QComboBox):
            found += [(name, w.itemText(i)) for i in range(w.count())]
        elif isinstance(w, QTabWidget):
            found += [(name + " tab", w.tabText(i)) for i in range(w.count())]
        elif isinstance(w, QListWidget):
            for i in range(w.count()):
                found += [(name, w.item(i).text()), (name + " tooltip", w.item(i).toolTip())]
        elif isinstance(w, QMenu):
            found.append((name + " menu", w.title()))
            for a in w.actions():
                found += [(name + " item", a.text()), (name + " item tooltip", a.toolTip())]
        elif isinstance(w, QToolBar):
            for a in w.actions():
                found += [(name + " action", a.text()), (name + " tooltip", a.toolTip())]
        if isinstance(w, QTableView) and w.model() is not None:
            model = w.model()
            found += [
                (name + " header", str(model.headerData(c, Qt.Orientation.Horizontal) or ""))
                for c in range(model.columnCount(QModelIndex()))
            ]
    return [(where, text) for where, text in found if text]


def _inside_data(w: QWidget) -> bool:
    """Typed values inside entry screens (a line edit's text is never walked) and the cells of
    tables are data; combos of a form offer choices from the form definition (walked)."""
    return isinstance(w, QLineEdit) and bool(w.text()) and not w.placeholderText()


def cjk_left(texts: list[tuple[str, str]], data: set[str]) -> list[str]:
    bad = []
    for where, text in texts:
        plain = re.sub(r"<[^>]+>", " ", text)
        if plain in SAME_IN_BOTH:
            continue
        for value in sorted(data, key=len, reverse=True):  # names of unions, people: data
            plain = plain.replace(value, "")
        if CJK.search(plain):
            bad.append(f"{where}: {text!r}")
    return bad


def english_left(texts: list[tuple[str, str]], english: set[str]) -> list[str]:
    bad = []
    for where, text in texts:
        plain = re.sub(r"<[^>]+>", " ", text).strip()
        if plain in ALLOWED or CJK.search(plain) or re.fullmatch(r"https?://\S*", plain):
            continue  # an example address is not English
        if plain in english or ENGLISH_WORDS.search(plain):
            bad.append(f"{where}: {plain!r}")
    return bad


def walk(qtbot: Any, window: Any, ws: Any) -> Iterator[tuple[str, QWidget]]:
    """Show every page, entry screen and dialog in turn; yield (where, top-level widget)."""
    for row in range(window.nav.count()):
        window.nav.setCurrentRow(row)
        qtbot.wait(10)
        yield type(window.current_page()).__name__, window
    for page_type in (UnionsPage, MembersPage):
        page = window.show_page(page_type)
        page.new_record()
        yield f"{page_type.__name__} entry", window
        page.editor.view.check_all()
        yield f"{page_type.__name__} entry errors", window
        page.editor.view.confirm_discard = lambda: True
        page.editor.view.request_discard()
    assessments = window.show_page(AssessmentsPage)
    assessments.new_session()
    yield "new assessment session", window
    assessments.show_list()
    audits = window.show_page(AuditsPage)
    audits.new_checklist()
    yield "new checklist", window
    audits.editor.dirty = False
    audits.stack.setCurrentIndex(0)
    audits.tabs.setCurrentIndex(1)
    yield "rectifications", window
    audits.tabs.setCurrentIndex(0)
    window.show_page(MembersPage)
    for menu in (window.go_menu, window.actions_menu, window.help_menu):
        yield f"menu {menu.title()}", menu
    for name, make in dialogs(window, ws):
        dialog = make()
        dialog.show()
        qtbot.waitExposed(dialog)
        yield name, dialog
        dialog.close()


def dialogs(window: Any, ws: Any) -> list[tuple[str, Callable[[], QDialog]]]:
    from desktop.ui.import_dialog import ImportDialog
    from desktop.ui.incoming_transfers import IncomingTransfersDialog
    from desktop.ui.stats_report import StatsReportDialog
    from desktop.ui.sync_enroll_dialog import EnrollWorkspaceDialog
    from desktop.ui.transfer_dialog import TransferDialog

    members = window.show_page(MembersPage)
    member = members.model.record(0).uuid

    def help_window() -> QDialog:
        window.show_help()
        return window.help_window

    def sheet() -> QDialog:
        window.show_shortcut_sheet()
        return window.shortcut_sheet

    return [
        ("help", help_window),
        ("shortcut sheet", sheet),
        ("import", lambda: ImportDialog(ws, members)),
        ("transfer", lambda: TransferDialog(ws, member, members)),
        ("incoming transfers", lambda: IncomingTransfersDialog(ws, members)),
        ("enroll", lambda: EnrollWorkspaceDialog(window)),
        ("statistics tables", lambda: StatsReportDialog(window)),
    ]


def data_names(ws: Any) -> set[str]:
    names = {ws.org_unit.name, ws.user.name}
    for rec in ws.records.query("union", limit=5000):
        names |= {str(rec.data.get(k) or "") for k in ("full_name", "short_name", "employer_name")}
    return {n for n in names if n}


def test_english_walk_leaves_no_chinese_outside_data(
    qtbot: Any, demo_ws: Any, workspace_dir: Path
) -> None:
    window = make_window(qtbot, workspace_dir, demo_ws)
    i18n.set_language("en")
    data = data_names(demo_ws)
    problems: list[str] = []
    seen = 0
    for where, top in walk(qtbot, window, demo_ws):
        found = texts_of(top)
        seen += len(found)
        problems += [f"{where} · {p}" for p in cjk_left(found, data)]
    i18n.set_language("zh_CN")
    window.close_workspace()
    assert seen > 300
    assert not problems, "Chinese left in English mode:\n" + "\n".join(sorted(set(problems)))


def test_chinese_walk_leaves_no_english_outside_data(
    qtbot: Any, demo_ws: Any, workspace_dir: Path
) -> None:
    window = make_window(qtbot, workspace_dir, demo_ws)
    english = {src for (_ctx, src) in translations()}
    problems: list[str] = []
    for where, top in walk(qtbot, window, demo_ws):
        problems += [f"{where} · {p}" for p in english_left(texts_of(top), english)]
    window.close_workspace()
    assert not problems, "English left in Chinese mode:\n" + "\n".join(sorted(set(problems)))


def test_the_walk_can_fail() -> None:
    assert cjk_left([("QPushButton#x", "导入")], set()) == ["QPushButton#x: '导入'"]
    assert cjk_left([("QLabel#x", "骑手之家 members")], {"骑手之家"}) == []
    assert english_left([("QLabel#x", "Print roster")], set())


def test_language_choice_is_remembered_for_the_next_start(
    qtbot: Any, app: Any, tmp_path: Path
) -> None:
    from desktop.ui import prefs
    from desktop.ui.app import create_application

    prefs.put("language", "en")
    create_application()
    assert i18n.current_language() == "en"
    i18n.set_language("zh_CN")
    prefs.put("language", "zh_CN")


def test_open_dialogs_switch_language_at_once(
    qtbot: Any, demo_ws: Any, workspace_dir: Path
) -> None:
    """Windows that stay open beside the program (help, the 快捷键 sheet) show English right after
    the switch. The other dialogs are modal (``exec``): Settings cannot be reached while one is
    open, so they are always built in the language of the moment (the walk above checks them)."""
    window = make_window(qtbot, workspace_dir, demo_ws)
    opened = []
    for name, make in dialogs(window, demo_ws):
        if name not in ("help", "shortcut sheet"):
            continue
        dialog = make()
        dialog.show()
        opened.append((name, dialog))
    i18n.set_language("en")
    data = data_names(demo_ws)
    problems = []
    for name, dialog in opened:
        problems += [f"{name} · {p}" for p in cjk_left(texts_of(dialog), data)]
        dialog.close()
    i18n.set_language("zh_CN")
    window.close_workspace()
    assert len(opened) == 2
    assert not problems, "not switched:\n" + "\n".join(problems)
