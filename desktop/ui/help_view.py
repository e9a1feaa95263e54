"""In-program help (F1): short bundled HTML pages, one per screen, in zh_CN and English.

Pages live in ``resources/help/<language>/<topic>.html`` and are shown in a QTextBrowser (no
network; links between help pages work, external links are not followed). The topic of a page
is its ``help_topic`` attribute, else the name from :data:`TOPICS`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QEvent, QUrl
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

from desktop.resources import resource_path
from desktop.ui.i18n import current_language
from desktop.ui.shortcuts import set_access_key
from desktop.ui.shortcuts import tr as keys_tr

CONTEXT = "Help"

#: page class name -> help topic (file name without .html)
TOPICS: dict[str, str] = {
    "DashboardPage": "dashboard",
    "UnionsPage": "unions",
    "MembersPage": "members",
    "AssessmentsPage": "assessments",
    "AuditsPage": "audits",
    "SyncPage": "sync",
    "SettingsPage": "settings",
    "ReviewPage": "review",
}
DEFAULT_TOPIC = "index"


def tr(text: str) -> str:
    return QCoreApplication.translate(CONTEXT, text)


def topic_of(page: Any) -> str:
    return getattr(page, "help_topic", None) or TOPICS.get(type(page).__name__, DEFAULT_TOPIC)


def help_file(topic: str, language: str | None = None) -> Path:
    """The HTML file of ``topic`` in ``language`` (falls back to the index, then to zh_CN)."""
    language = language or current_language()
    for lang in (language, "zh_CN"):
        for name in (topic, DEFAULT_TOPIC):
            path = resource_path("help", lang, f"{name}.html")
            if path.exists():
                return path
    raise FileNotFoundError(topic)


class HelpWindow(QDialog):
    """One help window, kept open beside the program; F1 again shows the current page's topic."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("HelpWindow")
        self.topic = DEFAULT_TOPIC
        self.browser = QTextBrowser(objectName="HelpBrowser")
        self.browser.setOpenExternalLinks(False)
        self.browser.setOpenLinks(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.close_button = buttons.button(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser, 1)
        layout.addWidget(buttons)
        self.resize(560, 520)
        self.retranslate()

    def show_topic(self, topic: str) -> None:
        self.topic = topic
        path = help_file(topic)
        self.browser.setSearchPaths([str(path.parent)])
        self.browser.setSource(QUrl.fromLocalFile(str(path)))
        self.setWindowTitle(tr("Help") + " – " + self.browser.documentTitle())

    def retranslate(self) -> None:
        set_access_key(self.close_button, keys_tr("Close"), "C")
        self.show_topic(self.topic)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
