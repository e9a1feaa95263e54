"""Every visible string has a zh_CN translation: the tr() source strings of desktop/ui (all
areas, across every resources/i18n/*_zh_CN.ts) and the texts found by walking the live windows
in Chinese."""

from __future__ import annotations

import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QTableView,
    QTabWidget,
    QToolBar,
    QWidget,
)

from desktop.ui.pages.members import MembersPage
from desktop.ui.pages.unions import UnionsPage
from tests.ui.helpers import make_window

ROOT = Path(__file__).resolve().parents[2]
I18N = ROOT / "resources" / "i18n"
ENGLISH_WORDS = re.compile(r"[A-Za-z]{2,}[ ,.:;'!?-]+[A-Za-z]{2,}")
CJK = re.compile(r"[\u4e00-\u9fff]")
#: texts that are the same in both languages (language names, product codes, key names)
ALLOWED = {"English", "UnionDesk", "YYYY-MM-DD", "Ctrl+S", "Ctrl+N", "Ctrl+L", "PDF", "Excel"}


def translations() -> dict[tuple[str, str], str]:
    """(context, source) -> finished translation, from every *_zh_CN.ts."""
    found: dict[tuple[str, str], str] = {}
    for ts in sorted(I18N.glob("*_zh_CN.ts")):
        for ctx in ET.parse(ts).getroot().iter("context"):
            name = ctx.findtext("name") or ""
            for msg in ctx.iter("message"):
                tr = msg.find("translation")
                text = "".join(tr.itertext()) if tr is not None else ""
                if (
                    tr is not None
                    and tr.get("type") not in ("unfinished", "obsolete", "vanished")
                    and text
                ):
                    found[(name, msg.findtext("source") or "")] = text
    return found


def source_strings(tmp_path: Path) -> list[tuple[str, str]]:
    """Every tr()/translate() source string in desktop/ui, as pyside6-lupdate finds them."""
    files = sorted(str(p) for p in (ROOT / "desktop" / "ui").rglob("*.py"))
    out = tmp_path / "all.ts"
    lupdate = Path(sys.executable).parent / "pyside6-lupdate"
    subprocess.run([str(lupdate), *files, "-ts", str(out)], check=True, capture_output=True)
    return [
        (ctx.findtext("name") or "", msg.findtext("source") or "")
        for ctx in ET.parse(out).getroot().iter("context")
        for msg in ctx.iter("message")
    ]


def test_every_tr_string_in_desktop_ui_has_a_zh_cn_translation(tmp_path: Path) -> None:
    have = translations()
    sources = source_strings(tmp_path)
    assert len(sources) > 150
    anywhere = {src for (_ctx, src) in have}
    # a module-level tr() helper gives lupdate no context: any context's translation counts
    missing = [
        f"{ctx}: {src!r}"
        for ctx, src in sources
        if (ctx, src) not in have and not (ctx == "" and src in anywhere)
    ]
    assert not missing, "no zh_CN translation for:\n" + "\n".join(missing)


def visible_texts(root: QWidget) -> list[tuple[str, str]]:
    """(where, text) for texts a person sees in ``root`` and its visible children."""
    texts: list[tuple[str, str]] = []
    for w in [root, *root.findChildren(QWidget)]:
        if not w.isVisibleTo(root) and w is not root:
            continue
        name = f"{type(w).__name__}#{w.objectName()}"
        if isinstance(w, QLabel):
            texts.append((name, w.text()))
        elif isinstance(w, QAbstractButton):
            texts.append((name, w.text()))
            texts.append((name + " tooltip", w.toolTip()))
        elif isinstance(w, QGroupBox):
            texts.append((name, w.title()))
        elif isinstance(w, QLineEdit):
            texts.append((name + " placeholder", w.placeholderText()))
        elif isinstance(w, QComboBox):
            texts += [(name, w.itemText(i)) for i in range(w.count())]
        elif isinstance(w, QTabWidget):
            texts += [(name, w.tabText(i)) for i in range(w.count())]
        elif isinstance(w, QListWidget):
            texts += [(name, w.item(i).text()) for i in range(w.count())]
        elif isinstance(w, QToolBar):
            texts += [(name, a.text()) for a in w.actions()]
        if isinstance(w, QTableView) and w.model() is not None:
            model = w.model()
            texts += [
                (name + " header", str(model.headerData(c, Qt.Orientation.Horizontal) or ""))
                for c in range(model.columnCount(QModelIndex()))
            ]
    return [(where, t) for where, t in texts if t]


def untranslated(texts: list[tuple[str, str]], english: set[str]) -> list[str]:
    bad = []
    for where, text in texts:
        plain = re.sub(r"<[^>]+>", " ", text).strip()
        if plain in ALLOWED or CJK.search(plain):
            continue
        if plain in english or ENGLISH_WORDS.search(plain):
            bad.append(f"{where}: {plain!r}")
    return bad


def test_live_windows_in_chinese_show_no_english_text(
    qtbot: Any, demo_ws: Any, workspace_dir: Path
) -> None:
    english = {src for (_ctx, src) in translations()}
    window = make_window(qtbot, workspace_dir, demo_ws)
    problems: list[str] = []
    for row in range(window.nav.count()):
        window.nav.setCurrentRow(row)
        qtbot.wait(10)
        problems += untranslated(visible_texts(window), english)
    for page_type in (UnionsPage, MembersPage):
        page = window.show_page(page_type)
        page.new_record()
        problems += untranslated(visible_texts(window), english)
        page.editor.view.check_all()  # the error list and field errors
        problems += untranslated(visible_texts(window), english)
        page.editor.view.request_discard()
    window.lock()
    problems += untranslated(visible_texts(window), english)
    window.close_workspace()
    assert not problems, "untranslated on screen:\n" + "\n".join(sorted(set(problems)))


def test_first_run_screen_in_chinese_shows_no_english_text(
    qtbot: Any, app: Any, tmp_path: Path
) -> None:
    english = {src for (_ctx, src) in translations()}
    window = make_window(qtbot, tmp_path / "new")
    problems = []
    for tab in range(window.first_run.tabs.count()):
        window.first_run.tabs.setCurrentIndex(tab)
        problems += untranslated(visible_texts(window), english)
    assert not problems, "\n".join(problems)
    # the same walk in English does find English: the check can fail
    from desktop.ui import i18n

    i18n.set_language("en")
    assert len(untranslated(visible_texts(window), english)) > 5
    i18n.set_language("zh_CN")
