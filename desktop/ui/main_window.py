"""The main window: navigation list, page stack, status bar, sign-in, auto-lock and unlock.

One window for the whole session. Its central stack shows the first-run screen (no workspace
yet), the sign-in / lock screen, or the shell (navigation + pages). Locking closes the
database and hands every page ``None``; pages keep unsaved form text in memory, so the same
user's password brings them back where they were.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from PySide6.QtCore import QEvent, QObject, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.ui import operations, prefs
from desktop.ui.errors_text import restore_error_text, role_text, store_error_text
from desktop.ui.icons import icon
from desktop.ui.idle import DEFAULT_IDLE_MINUTES, IdleWatcher
from desktop.ui.login import LoginScreen
from desktop.ui.pages.base import Page
from desktop.ui.shortcuts import set_access_key

if TYPE_CHECKING:
    from desktop.store import Workspace

IDLE_SETTING = "ui.idle_lock_minutes"


def default_pages() -> list[Page]:
    """The main window's pages, in navigation order."""
    from desktop.ui.pages.assessments import AssessmentsPage
    from desktop.ui.pages.checklists import AuditsPage
    from desktop.ui.pages.dashboard import DashboardPage
    from desktop.ui.pages.members import MembersPage
    from desktop.ui.pages.settings import SettingsPage
    from desktop.ui.pages.sync_page import SyncPage
    from desktop.ui.pages.unions import UnionsPage

    return [
        DashboardPage(),
        UnionsPage(),
        MembersPage(),
        AssessmentsPage(),
        AuditsPage(),
        SyncPage(),
        SettingsPage(),
    ]


def workspace_exists(path: Path) -> bool:
    """True when ``path`` already holds a workspace (sign in) rather than nothing (first run)."""
    from desktop.store.workspace import DB_NAME, SLOTS_NAME

    return (path / DB_NAME).exists() or (path / SLOTS_NAME).exists()


class ChangeRelay(QObject):
    """Turns the store's change callbacks (any thread) into one debounced GUI-thread call."""

    changed = Signal(str)
    flushed = Signal(set)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pending: set[str] = set()
        self._timer = QTimer(self, singleShot=True, interval=120)
        self._timer.timeout.connect(self._flush)
        self.changed.connect(self._collect)

    def on_change(self, event: Any) -> None:  # called by ws.subscribe, maybe off the GUI thread
        self.changed.emit(str(getattr(event, "form_id", "") or ""))

    def _collect(self, form_id: str) -> None:
        self._pending.add(form_id)
        self._timer.start()

    def _flush(self) -> None:
        pending, self._pending = self._pending, set()
        self.flushed.emit(pending)


class MainWindow(QMainWindow):
    """The UnionDesk window for one workspace folder."""

    workspace_opened = Signal(object)
    locked = Signal()

    def __init__(
        self, workspace_path: Path, pages: list[Page] | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.path = Path(workspace_path)
        self.ws: Workspace | None = None
        self._locked_user: str | None = None
        self.closing_notice: QProgressDialog | None = None  # shown while the close backup runs
        self._lock_backup_running = False  # locking writes the rolling backup in the background
        self._close_after_lock_backup = False
        self.setWindowIcon(icon("app"))
        self.resize(1280, 760)
        self.setMinimumSize(960, 600)

        self.idle = IdleWatcher(self)
        self.idle.idle.connect(self.lock)
        self.relay = ChangeRelay(self)
        self.relay.flushed.connect(self._records_changed)

        self.root = QStackedWidget()
        self.setCentralWidget(self.root)
        self.login = LoginScreen()
        self.login.unlock_requested.connect(self._sign_in)
        self.root.addWidget(self.login)
        self.first_run: QWidget | None = None

        self.pages = pages if pages is not None else default_pages()
        self.shell = self._build_shell()
        self.root.addWidget(self.shell)
        self._build_status_bar()

        self.help_window: Any = None
        self.shortcut_sheet: Any = None
        self._build_actions()
        self.lock_action = self.shortcut_actions["lock"]
        self._status_timer = QTimer(self, interval=30_000)
        self._status_timer.timeout.connect(self.update_status)
        self.retranslate()

    # -- building --------------------------------------------------------------------------
    def _build_shell(self) -> QWidget:
        shell = QWidget()
        layout = QHBoxLayout(shell)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)

        nav_pane = QWidget(objectName="NavPane")
        nav_pane.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        nav_pane.setFixedWidth(200)
        nav_layout = QVBoxLayout(nav_pane)
        nav_layout.setContentsMargins(0, 0, 0, 8)
        nav_layout.setSpacing(0)
        self.brand = QLabel(objectName="BrandLabel")
        self.brand_sub = QLabel(objectName="BrandSub")
        self.brand_sub.setWordWrap(True)
        self.nav = QListWidget(objectName="NavList")
        self.nav.setIconSize(QSize(20, 20))
        self.nav.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.lock_button = QPushButton()
        self.lock_button.setObjectName("NavLockButton")
        self.lock_button.setIcon(icon("lock", "#d9e2ec"))
        self.lock_button.setFlat(True)
        self.lock_button.setStyleSheet(
            "color: #d9e2ec; border: none; text-align: left; padding: 8px 16px;"
        )
        self.lock_button.clicked.connect(self.lock)
        nav_layout.addWidget(self.brand)
        nav_layout.addWidget(self.brand_sub)
        nav_layout.addWidget(self.nav, 1)
        nav_layout.addWidget(self.lock_button)

        self.stack = QStackedWidget()
        for page in self.pages:
            item = QListWidgetItem(icon(page.nav_icon_name, "#d9e2ec"), page.nav_title())
            self.nav.addItem(item)
            self.stack.addWidget(page)
            page.status_changed.connect(self.update_status)
            if hasattr(page, "idle_minutes_changed"):
                page.idle_minutes_changed.connect(self._idle_minutes_changed)
            if hasattr(page, "restore_requested"):
                page.restore_requested.connect(self.restore_backup)
            page.status_message.connect(lambda text: self.statusBar().showMessage(text, 5000))
        self.nav.currentRowChanged.connect(self._show_row)
        layout.addWidget(nav_pane)
        content = QWidget()
        content_layout = QVBoxLayout(content)
        content_layout.setContentsMargins(16, 12, 16, 8)
        content_layout.addWidget(self.stack)
        layout.addWidget(content, 1)
        return shell

    def _build_actions(self) -> None:
        """One QAction per window shortcut of :data:`desktop.ui.shortcuts.SHORTCUTS`, in menus."""
        from desktop.ui.shortcuts import SHORTCUTS

        handlers = {
            "search": self.find_on_page,
            "print": self.print_page,
            "export": self.export_page,
            "sync": self.sync_now,
            "help": self.show_help,
            "lock": self.lock,
        }
        self.shortcut_actions: dict[str, QAction] = {}
        for shortcut in SHORTCUTS:
            if shortcut.scope != "window":
                continue
            action = QAction(self, objectName=f"Action_{shortcut.command}")
            action.setShortcut(shortcut.sequence())
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            if shortcut.command.startswith("page."):
                row = int(shortcut.command.split(".")[1]) - 1
                action.triggered.connect(lambda _c=False, r=row: self.go_to_row(r))
            else:
                action.triggered.connect(handlers[shortcut.command])
            self.addAction(action)
            self.shortcut_actions[shortcut.command] = action
        self.sheet_action = QAction(self, objectName="Action_shortcut_sheet")
        self.sheet_action.triggered.connect(self.show_shortcut_sheet)
        bar = self.menuBar()
        self.go_menu = bar.addMenu("")
        self.actions_menu = bar.addMenu("")
        self.help_menu = bar.addMenu("")
        for command, action in self.shortcut_actions.items():
            if command.startswith("page.") or command == "search":
                self.go_menu.addAction(action)
            elif command == "help":
                self.help_menu.addAction(action)
            else:
                self.actions_menu.addAction(action)
        self.help_menu.addAction(self.sheet_action)

    def _retranslate_actions(self) -> None:
        from desktop.ui.shortcuts import by_command

        for command, action in self.shortcut_actions.items():
            shortcut = by_command(command)
            action.setText(shortcut.label())
            action.setToolTip(f"{shortcut.plain()} ({shortcut.key_text()})")
        self.sheet_action.setText(self.tr("&Keyboard shortcuts"))
        self.go_menu.setTitle(self.tr("&Go"))
        self.actions_menu.setTitle(self.tr("&Actions"))
        self.help_menu.setTitle(self.tr("&Help"))

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.user_status = QLabel(objectName="UserStatus")
        self.org_status = QLabel(objectName="OrgStatus")
        self.pending_status = QLabel(objectName="PendingStatus")
        self.sync_status = QLabel(objectName="SyncStatus")
        for label in (self.user_status, self.org_status, self.pending_status, self.sync_status):
            bar.addPermanentWidget(label)
        bar.setSizeGripEnabled(False)

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> None:
        """Show the first-run screen (no workspace yet) or the sign-in screen."""
        if workspace_exists(self.path):
            self.login.set_mode(locked=False, user=prefs.get("last_user", "admin") or "")
            self.root.setCurrentWidget(self.login)
        else:
            self.show_first_run()

    def show_first_run(self) -> None:
        from desktop.ui.first_run import FirstRunScreen

        if self.first_run is None:
            self.first_run = FirstRunScreen(self.path)
            self.first_run.workspace_ready.connect(self.set_workspace)
            self.root.addWidget(self.first_run)
        self.root.setCurrentWidget(self.first_run)

    def set_workspace(self, ws: Workspace) -> None:
        """Show the shell for an open workspace (after create, sign-in or unlock)."""
        self.ws = ws
        self._locked_user = None
        ws.subscribe(self.relay.on_change)
        from desktop.ui.pages.review_page import add_to_window

        add_to_window(self, ws)  # the Review page, for county reviewers only
        prefs.put("last_user", ws.user.name)
        minutes = ws.settings.get(IDLE_SETTING, DEFAULT_IDLE_MINUTES)
        self.idle.set_minutes(float(minutes if minutes is not None else DEFAULT_IDLE_MINUTES))
        for page in self.pages:
            page.set_workspace(ws)
        if self.nav.currentRow() < 0:
            self.nav.setCurrentRow(0)
        self.root.setCurrentWidget(self.shell)
        self.idle.start()
        self._status_timer.start()
        self.retranslate()  # also refreshes the status bar
        self.workspace_opened.emit(ws)

    def lock(self) -> None:
        """Hide the data, close the database; the same user's password reopens it."""
        if self.ws is None:
            return
        user = self.ws.user.name
        org = self.ws.org_unit.name
        for widget in QApplication.topLevelWidgets():  # open questions and dialogs go too
            if isinstance(widget, QDialog) and widget.isVisible():
                widget.reject()
        for page in self.pages:
            page.set_workspace(None)
        ws, self.ws = self.ws, None
        self.idle.stop()
        self._status_timer.stop()
        self._locked_user = user
        self.login.set_mode(locked=True, user=user, org_unit=org)
        self.root.setCurrentWidget(self.login)
        self.update_status()
        self.locked.emit()
        if not ws.backs_up_on_close:
            operations.close_workspace(ws).now()
            return
        # the rolling backup is written on a worker thread; unlocking waits for it
        self._lock_backup_running = True
        self.login.set_busy(True, self.tr("Writing a backup…"))

        def finished(_result: object = None) -> None:
            self._lock_backup_running = False
            self.login.set_busy(False)
            self.login.password_edit.setFocus()
            if self._close_after_lock_backup:
                QTimer.singleShot(0, self.close)

        operations.close_workspace(ws).success(finished).failure(finished).run()

    def _idle_minutes_changed(self, minutes: float) -> None:
        self.idle.set_minutes(minutes)
        self.idle.start()

    def restore_backup(self, backup: Path, secret: str) -> None:
        """Replace the open workspace by a backup; the current folder is kept aside."""
        if self.ws is None:
            return
        user, org = self.ws.user.name, self.ws.org_unit.name
        for page in self.pages:
            page.set_workspace(None)
        ws, self.ws = self.ws, None
        try:
            aside = operations.set_workspace_aside(ws, self.path).now()
        except OSError as exc:
            self.login.set_mode(locked=False, user=user, org_unit=org)
            self.root.setCurrentWidget(self.login)
            self.login.show_error(store_error_text(exc))
            return
        with contextlib.suppress(ValueError):  # a backup from the workspace's own folder moved too
            backup = aside / Path(backup).resolve().relative_to(self.path.resolve())

        def done(new_ws: Workspace) -> None:
            self.set_workspace(new_ws)
            self.statusBar().showMessage(
                self.tr("Backup restored. The previous workspace was kept in %1").replace(
                    "%1", str(aside)
                ),
                15000,
            )

        def failed(exc: BaseException) -> None:
            operations.put_workspace_back(self.path, aside).now()
            self.login.set_mode(locked=False, user=user, org_unit=org)
            self.root.setCurrentWidget(self.login)
            self.login.show_error(restore_error_text(exc, self.path))

        operations.restore_backup(backup, self.path, user=user, secret=secret).success(
            done
        ).failure(failed).run()

    def is_locked(self) -> bool:
        return self._locked_user is not None

    def _sign_in(self, user: str, password: str) -> None:
        def done(ws: Workspace) -> None:
            self.set_workspace(ws)

        def failed(exc: BaseException) -> None:
            self.login.show_error(store_error_text(exc))

        operations.sign_in(self.path, user, password).success(done).failure(failed).run()

    # -- navigation and status ---------------------------------------------------------------
    def _show_row(self, row: int) -> None:
        if 0 <= row < len(self.pages):
            self.stack.setCurrentIndex(row)

    def show_page(self, page_type: type[Page]) -> Page:
        """Switch to the page of this class and return it."""
        for row, page in enumerate(self.pages):
            if isinstance(page, page_type):
                self.nav.setCurrentRow(row)
                return page
        raise KeyError(page_type.__name__)

    def current_page(self) -> Page:
        return self.pages[self.stack.currentIndex()]

    # -- keyboard commands -----------------------------------------------------------------
    def _in_shell(self) -> bool:
        return self.ws is not None and self.root.currentWidget() is self.shell

    def go_to_row(self, row: int) -> None:
        """Ctrl+1 … Ctrl+7: show the page in this navigation row."""
        if self._in_shell() and 0 <= row < self.nav.count():
            self.nav.setCurrentRow(row)

    def _page_command(self, name: str, nothing: str) -> None:
        if not self._in_shell():
            return
        if not getattr(self.current_page(), name)():
            self.statusBar().showMessage(nothing, 5000)

    def find_on_page(self) -> None:
        """Ctrl+F: the current page's search box."""
        self._page_command("focus_search", self.tr("This page has no search box."))

    def print_page(self) -> None:
        """Ctrl+P: what the current page prints."""
        self._page_command("print_current", self.tr("This page has nothing to print."))

    def export_page(self) -> None:
        """Ctrl+E: what the current page exports."""
        self._page_command("export_current", self.tr("This page has nothing to export."))

    def sync_now(self) -> None:
        """F5: show the Sync page and sync now."""
        from desktop.ui.pages.sync_page import SyncPage

        if not self._in_shell():
            return
        page = self.show_page(SyncPage)
        cast(SyncPage, page).start_sync()

    def show_help(self) -> None:
        """F1: the help page of the current screen."""
        from desktop.ui.help_view import DEFAULT_TOPIC, HelpWindow, topic_of

        if self.help_window is None:
            self.help_window = HelpWindow(self)
        in_shell = self.root.currentWidget() is self.shell
        self.help_window.show_topic(topic_of(self.current_page()) if in_shell else DEFAULT_TOPIC)
        self.help_window.show()
        self.help_window.raise_()

    def show_shortcut_sheet(self) -> None:
        """Help ▸ Keyboard shortcuts: the sheet generated from the shortcut table."""
        from desktop.ui.shortcuts import ShortcutSheet

        if self.shortcut_sheet is None:
            self.shortcut_sheet = ShortcutSheet(self)
        self.shortcut_sheet.show()
        self.shortcut_sheet.raise_()

    def _records_changed(self, form_ids: set[str]) -> None:
        if self.ws is None:
            return
        for page in self.pages:
            page.records_changed(form_ids)
        self.update_status()

    def update_status(self) -> None:
        ws = self.ws
        if ws is None:
            for label in (self.user_status, self.org_status, self.pending_status, self.sync_status):
                label.clear()
            if self._locked_user:
                self.user_status.setText(self.tr("Locked"))
            return
        self.user_status.setText(
            self.tr("User: %1 (%2)")
            .replace("%1", ws.user.name)
            .replace("%2", role_text(ws.user.role))
        )
        self.org_status.setText(
            self.tr("Org unit: %1").replace("%1", f"{ws.org_unit.name} {ws.org_unit.code}")
        )
        try:
            pending = str(ws.outbox.pending_count())
        except Exception:  # noqa: BLE001 - status bar never breaks the window
            pending = "—"
        self.pending_status.setText(self.tr("Waiting to sync: %1").replace("%1", pending))
        self.sync_status.setText(
            self.tr("Last sync: %1").replace(
                "%1", self._last_sync_text(ws.settings.get("sync.last_success"))
            )
        )

    def _last_sync_text(self, value: Any) -> str:
        if not value:
            return self.tr("never")
        try:
            when = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        except ValueError:
            return str(value)
        if when.tzinfo is not None:
            when = when.astimezone()
        return when.strftime("%Y-%m-%d %H:%M")

    # -- language and closing --------------------------------------------------------------
    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("UnionDesk"))
        self.brand.setText(self.tr("UnionDesk"))
        self.brand_sub.setText(self.ws.org_unit.name if self.ws is not None else "")
        self.brand_sub.setToolTip(self.brand_sub.text())  # a long name wraps; in full here
        set_access_key(self.lock_button, self.tr("Lock"), "L", self.tr("Lock now"), "Ctrl+L")
        self._retranslate_actions()
        for row, page in enumerate(self.pages):
            self.nav.item(row).setText(page.nav_title())
            keys = f" (Ctrl+{row + 1})" if row < 7 else ""
            self.nav.item(row).setToolTip(page.nav_title() + keys)
        self.update_status()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt API
        if self.closing_notice is not None:  # the backup is still being written
            event.ignore()
            return
        if self._lock_backup_running:  # locked a moment ago: close once its backup is written
            self._close_after_lock_backup = True
            event.ignore()
            return
        if any(page.has_unsaved_changes() for page in self.pages):
            answer = QMessageBox.question(
                self,
                self.tr("Unsaved changes"),
                self.tr("Some typed text is not saved yet. Quit anyway and lose it?"),
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                QMessageBox.StandardButton.No,
            )
            if answer != QMessageBox.StandardButton.Yes:
                event.ignore()
                return
        if self.ws is not None and self.ws.backs_up_on_close:
            event.ignore()  # the window closes once the backup is written
            self._close_with_backup()
            return
        self.close_workspace()
        super().closeEvent(event)

    def _close_with_backup(self) -> None:
        """Close the workspace on a worker thread (it writes its rolling backup) while a notice
        tells the user so; then close the window."""
        self.idle.shutdown()
        for page in self.pages:
            page.set_workspace(None)
        ws, self.ws = self.ws, None
        assert ws is not None  # closeEvent calls this only with a workspace open
        notice = QProgressDialog(self.tr("Writing a backup before closing…"), "", 0, 0, self)
        notice.setWindowTitle(self.tr("Closing"))
        notice.setCancelButton(None)
        notice.setWindowModality(Qt.WindowModality.WindowModal)
        notice.setMinimumDuration(0)
        notice.setMinimumWidth(360)
        notice.setAutoClose(False)
        notice.show()
        self.closing_notice = notice

        def finished(_result: object = None) -> None:
            notice.close()
            notice.deleteLater()
            self.closing_notice = None
            QTimer.singleShot(0, self.close)  # not from inside this closeEvent

        operations.close_workspace(ws).success(finished).failure(finished).run()

    def close_workspace(self) -> None:
        """Close the database (pages forget what they showed)."""
        self.idle.shutdown()
        if self.ws is not None:
            for page in self.pages:
                page.set_workspace(None)
            ws, self.ws = self.ws, None
            operations.close_workspace(ws).now()
