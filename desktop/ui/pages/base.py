"""The Page base class every main-window page builds on.

A page is a QWidget shown in the main window's stack, with a navigation entry. The main window
calls :meth:`Page.set_workspace` with the open workspace after unlocking, and with ``None`` when
the workspace locks or closes: a page then drops everything it showed from the store, but keeps
unsaved edits (form text) in memory so the same user continues where they were after unlocking.

Language switches arrive as ``QEvent.LanguageChange``; the page's :meth:`retranslate` runs then
(set every visible text there, through ``self.tr``). Background work goes through
:attr:`Page.tasks` (callbacks on the GUI thread), never blocking the GUI on I/O.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, Signal
from PySide6.QtWidgets import QWidget

from desktop.ui.tasks import TaskRunner, default_runner

if TYPE_CHECKING:  # the store is imported lazily so pages load without it
    from desktop.store import Workspace


class Page(QWidget):
    """One main-window page: nav title and icon, workspace in and out, refresh, retranslate."""

    # a short message for the main window's status bar (e.g. "Saved")
    status_message = Signal(str)
    # ask the main window to refresh its status bar (records waiting to sync, last sync)
    status_changed = Signal()

    # icon file name in resources/icons (without .svg) for the navigation list
    nav_icon_name = "page"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ws: Workspace | None = None

    # -- what the main window uses -------------------------------------------------------
    def nav_title(self) -> str:
        """The translated navigation-list title (e.g. ``self.tr("Members")``)."""
        raise NotImplementedError

    def set_workspace(self, ws: Workspace | None) -> None:
        """Show ``ws`` (after unlock) or forget stored data (``None``: locked or closed)."""
        self._ws = ws
        if ws is not None:
            self.refresh()
        else:
            self.clear()

    def refresh(self) -> None:
        """Reload what the page shows from the workspace (cheap; called on change notices)."""

    def clear(self) -> None:
        """Drop data shown from the store (the workspace locked); keep unsaved edits."""

    def retranslate(self) -> None:
        """Set every visible text again in the current language."""

    def records_changed(self, form_ids: set[str]) -> None:
        """Records of these forms were saved (GUI thread, debounced). Default: refresh."""
        if self._ws is not None:
            self.refresh()

    def has_unsaved_changes(self) -> bool:
        """True when leaving the program would lose typed text (asked before quitting)."""
        return False

    # -- keyboard commands (desktop.ui.shortcuts); False: the page has nothing for it --------
    def focus_search(self) -> bool:
        """Ctrl+F: put the cursor in the page's search box."""
        return False

    def print_current(self) -> bool:
        """Ctrl+P: print what the page prints (usually asks for a PDF file)."""
        return False

    def export_current(self) -> bool:
        """Ctrl+E: export what the page exports."""
        return False

    # -- helpers for subclasses ----------------------------------------------------------
    @property
    def workspace(self) -> Workspace | None:
        return self._ws

    @property
    def tasks(self) -> TaskRunner:
        """The application-wide background-task runner (an immediate one in tests)."""
        return default_runner()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
