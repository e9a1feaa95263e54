"""F1 help: a bundled page for every screen, in both languages, in a QTextBrowser (no network)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QTextBrowser

from desktop.resources import resource_path
from desktop.ui import i18n
from desktop.ui.help_view import TOPICS
from tests.ui.helpers import make_window

CJK = re.compile(r"[\u4e00-\u9fff]")


def test_every_topic_exists_in_both_languages() -> None:
    for topic in [*TOPICS.values(), "index", "keys"]:
        for lang in ("zh_CN", "en"):
            text = resource_path("help", lang, f"{topic}.html").read_text(encoding="utf-8")
            assert "<title>" in text and "http" not in text.replace("https://", ""), topic
            body = re.sub(r"<[^>]+>", "", text)
            if lang == "en":
                # the language names of the Settings combo are the only Chinese in English help
                assert not CJK.search(body.replace("中文", "")), (topic, lang)
            else:
                assert CJK.search(body), (topic, lang)


def test_f1_opens_the_current_page_help_in_the_current_language(
    qtbot: Any, demo_ws: Any, workspace_dir: Path
) -> None:
    window = make_window(qtbot, workspace_dir, demo_ws)
    for row in range(7):
        window.go_to_row(row)
        window.shortcut_actions["help"].trigger()
        help_window = window.help_window
        assert isinstance(help_window.browser, QTextBrowser)
        assert help_window.topic == TOPICS[type(window.current_page()).__name__]
        assert CJK.search(help_window.browser.toPlainText())
    # the Sync page says where an enrollment code comes from, in both languages
    window.go_to_row(5)
    window.show_help()
    text = help_window.browser.toPlainText()
    assert "注册码从哪里来" in text and "县（区）总工会" in text
    i18n.set_language("en")  # the open help window follows the switch
    text = help_window.browser.toPlainText()
    assert "Where the enrollment code comes from" in text and "county federation" in text
    assert not CJK.search(help_window.windowTitle())
    # links between help pages work inside the browser
    help_window.browser.setSource(help_window.browser.source().resolved("index.html"))
    assert "Keyboard shortcuts" in help_window.browser.toPlainText()
    i18n.set_language("zh_CN")
    help_window.close()
    window.close_workspace()
