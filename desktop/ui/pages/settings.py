"""Settings: language, auto-lock, own password, users and roles (admin), backups, workspace check."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.ui import i18n, operations, prefs
from desktop.ui.errors_text import role_text, store_error_text
from desktop.ui.icons import icon
from desktop.ui.idle import DEFAULT_IDLE_MINUTES
from desktop.ui.operations.backup import (
    BACKUP_DIR_SETTING,
    DEFAULT_KEEP,
    KEEP_SETTING,
    ON_CLOSE_SETTING,
    backup_folder,
)
from desktop.ui.pages.base import Page
from desktop.ui.password_widget import NewPasswordWidget
from desktop.ui.shortcuts import set_access_key

if TYPE_CHECKING:
    pass

IDLE_SETTING = "ui.idle_lock_minutes"
ROLES = ("admin", "clerk", "auditor", "reviewer")
LANGUAGE_NAMES = {"zh_CN": "中文", "en": "English"}


class SettingsPage(Page):
    nav_icon_name = "settings"

    idle_minutes_changed = Signal(float)
    # (backup file, password or recovery key): the main window replaces the workspace
    restore_requested = Signal(Path, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel(objectName="PageTitle")

        # language and auto-lock
        self.general = QGroupBox()
        self.language = QComboBox(objectName="LanguageCombo")
        for code in i18n.LANGUAGES:
            self.language.addItem(LANGUAGE_NAMES[code], code)
        self.language.setCurrentIndex(self.language.findData(i18n.current_language()))
        self.language.currentIndexChanged.connect(self._language_chosen)
        self.idle_minutes = QSpinBox(objectName="IdleMinutes")
        self.idle_minutes.setRange(0, 240)
        self.idle_minutes.setValue(DEFAULT_IDLE_MINUTES)
        self.idle_minutes.editingFinished.connect(self._idle_chosen)
        self.idle_hint = QLabel(objectName="Hint")
        self.idle_hint.setWordWrap(True)
        general_form = QFormLayout(self.general)
        self.language_label, self.idle_label = QLabel(), QLabel()
        general_form.addRow(self.language_label, self.language)
        general_form.addRow(self.idle_label, self.idle_minutes)
        general_form.addRow("", self.idle_hint)

        # own password
        self.password_group = QGroupBox()
        self.own_password = NewPasswordWidget()
        self.change_password_button = QPushButton(objectName="ChangePassword")
        self.change_password_button.clicked.connect(self.change_own_password)
        self.password_message = QLabel(objectName="Hint")
        self.password_message.setWordWrap(True)
        pw_layout = QVBoxLayout(self.password_group)
        pw_layout.addWidget(self.own_password)
        pw_layout.addWidget(self.change_password_button)
        pw_layout.addWidget(self.password_message)

        # users and roles (admin)
        self.users_group = QGroupBox()
        self.users_table = QTableWidget(0, 2, objectName="UsersTable")
        self.users_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.users_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.users_table.verticalHeader().setVisible(False)
        self.users_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.users_table.setMinimumHeight(120)
        self.new_user = QLineEdit(objectName="NewUserName")
        self.new_role = QComboBox(objectName="NewUserRole")
        self.new_user_password = NewPasswordWidget()
        self.new_user.textChanged.connect(self.new_user_password.set_user)
        self.add_user_button = QPushButton(icon("add"), "", objectName="AddUser")
        self.add_user_button.clicked.connect(self.add_user)
        self.remove_user_button = QPushButton(icon("delete"), "", objectName="RemoveUser")
        self.remove_user_button.setProperty("danger", True)
        self.remove_user_button.clicked.connect(self.remove_user)
        self.users_message = QLabel(objectName="Hint")
        self.users_message.setWordWrap(True)
        users_layout = QVBoxLayout(self.users_group)
        users_layout.addWidget(self.users_table)
        add_form = QFormLayout()
        self.new_user_label, self.new_role_label = QLabel(), QLabel()
        add_form.addRow(self.new_user_label, self.new_user)
        add_form.addRow(self.new_role_label, self.new_role)
        users_layout.addLayout(add_form)
        users_layout.addWidget(self.new_user_password)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_user_button)
        buttons.addWidget(self.remove_user_button)
        buttons.addStretch(1)
        users_layout.addLayout(buttons)
        users_layout.addWidget(self.users_message)

        # backups
        self.backup_group = QGroupBox()
        self.backup_dir = QLineEdit(objectName="BackupDir")
        self.backup_browse = QPushButton()
        self.backup_browse.clicked.connect(self._browse_backup_dir)
        self.backup_dir.editingFinished.connect(self._backup_dir_chosen)
        self.backup_keep = QSpinBox(objectName="BackupKeep")
        self.backup_keep.setRange(1, 100)
        self.backup_keep.setValue(DEFAULT_KEEP)
        self.backup_keep.editingFinished.connect(self._keep_chosen)
        self.backup_on_close = QCheckBox(objectName="BackupOnClose")
        self.backup_on_close.toggled.connect(self._on_close_chosen)
        self.backup_now_button = QPushButton(icon("backup"), "", objectName="BackupNow")
        self.backup_now_button.clicked.connect(self.back_up)
        self.restore_button = QPushButton(objectName="RestoreBackup")
        self.restore_button.clicked.connect(self._ask_restore)
        self.backup_message = QLabel(objectName="Hint")
        self.backup_message.setWordWrap(True)
        dir_row = QHBoxLayout()
        dir_row.addWidget(self.backup_dir, 1)
        dir_row.addWidget(self.backup_browse)
        backup_form = QFormLayout(self.backup_group)
        self.backup_dir_label, self.backup_keep_label = QLabel(), QLabel()
        backup_form.addRow(self.backup_dir_label, dir_row)
        backup_form.addRow(self.backup_keep_label, self.backup_keep)
        backup_form.addRow("", self.backup_on_close)
        backup_buttons = QHBoxLayout()
        backup_buttons.addWidget(self.backup_now_button)
        backup_buttons.addWidget(self.restore_button)
        backup_buttons.addStretch(1)
        backup_form.addRow("", backup_buttons)
        backup_form.addRow("", self.backup_message)

        # workspace check
        self.check_group = QGroupBox()
        self.check_button = QPushButton(objectName="CheckWorkspace")
        self.check_button.clicked.connect(self.check_workspace)
        self.check_message = QLabel(objectName="Hint")
        self.check_message.setWordWrap(True)
        check_layout = QVBoxLayout(self.check_group)
        check_layout.addWidget(self.check_button)
        check_layout.addWidget(self.check_message)

        body = QWidget()
        grid = QGridLayout(body)
        grid.setContentsMargins(0, 0, 8, 0)
        grid.setSpacing(12)
        left = QVBoxLayout()
        for group in (self.general, self.password_group, self.check_group):
            left.addWidget(group)
        left.addStretch(1)
        right = QVBoxLayout()
        for group in (self.users_group, self.backup_group):
            right.addWidget(group)
        right.addStretch(1)
        grid.addLayout(left, 0, 0)
        grid.addLayout(right, 0, 1)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)
        area = QScrollArea()
        area.setWidgetResizable(True)
        area.setWidget(body)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(area, 1)
        self.retranslate()

    def nav_title(self) -> str:
        return self.tr("Settings")

    # -- workspace -------------------------------------------------------------------------
    def refresh(self) -> None:
        ws = self.workspace
        if ws is None:
            return
        is_admin = ws.user.can("manage_users")
        self.users_group.setVisible(is_admin)
        can_backup = ws.user.can("backup")
        self.backup_group.setEnabled(can_backup)
        self.idle_minutes.setValue(int(ws.settings.get(IDLE_SETTING, DEFAULT_IDLE_MINUTES) or 0))
        self.backup_dir.setText(str(backup_folder(ws)))
        self.backup_keep.setValue(int(ws.settings.get(KEEP_SETTING) or DEFAULT_KEEP))
        self.backup_on_close.blockSignals(True)
        self.backup_on_close.setChecked(bool(ws.settings.get(ON_CLOSE_SETTING)))
        self.backup_on_close.blockSignals(False)
        self.own_password.set_user(ws.user.name)
        if is_admin:
            self._fill_users()

    def clear(self) -> None:
        self.users_table.setRowCount(0)
        self.check_message.clear()
        self.backup_message.clear()

    def _fill_users(self) -> None:
        users = self.workspace.users.list()
        self.users_table.setRowCount(len(users))
        for row, user in enumerate(users):
            self.users_table.setItem(row, 0, QTableWidgetItem(user.name))
            self.users_table.setItem(row, 1, QTableWidgetItem(role_text(user.role)))

    # -- language and auto-lock ------------------------------------------------------------
    def _language_chosen(self) -> None:
        code = self.language.currentData()
        if code and code != i18n.current_language():
            prefs.put("language", code)
            i18n.set_language(code)

    def set_language(self, code: str) -> None:
        """Switch the program's language now (what choosing it in the combo does)."""
        self.language.setCurrentIndex(self.language.findData(code))

    def _idle_chosen(self) -> None:
        if self.workspace is None:
            return
        minutes = self.idle_minutes.value()
        operations.set_setting(self.workspace, IDLE_SETTING, minutes).now()
        self.idle_minutes_changed.emit(float(minutes))

    # -- passwords and users ---------------------------------------------------------------
    def change_own_password(self) -> None:
        ws = self.workspace
        problem = self.own_password.problem()
        if ws is None:
            return
        if problem:
            self.password_message.setText(problem)
            return

        def done(_result: object) -> None:
            self.own_password.clear()
            self.password_message.setText(self.tr("Your password was changed."))

        def failed(exc: BaseException) -> None:
            self.password_message.setText(store_error_text(exc))

        operations.change_password(ws, ws.user.name, self.own_password.password()).success(
            done
        ).failure(failed).with_runner(self.tasks).run()

    def add_user(self) -> None:
        ws = self.workspace
        name = self.new_user.text().strip()
        if ws is None:
            return
        problem = None if name else self.tr("Enter a user name.")
        problem = problem or self.new_user_password.problem()
        if problem:
            self.users_message.setText(problem)
            return

        def done(_user: object) -> None:
            self.new_user.clear()
            self.new_user_password.clear()
            self.users_message.setText(self.tr("User %1 was added.").replace("%1", name))
            self._fill_users()

        def failed(exc: BaseException) -> None:
            self.users_message.setText(store_error_text(exc))

        password, role = self.new_user_password.password(), self.new_role.currentData()
        operations.add_user(ws, name, password, role).success(done).failure(failed).with_runner(
            self.tasks
        ).run()

    def remove_user(self) -> None:
        ws = self.workspace
        row = self.users_table.currentRow()
        if ws is None or row < 0:
            return
        name = self.users_table.item(row, 0).text()
        if name == ws.user.name:
            self.users_message.setText(self.tr("You cannot remove yourself."))
            return
        answer = QMessageBox.question(
            self,
            self.tr("Remove user"),
            self.tr("Remove user %1? Their password will no longer open this workspace.").replace(
                "%1", name
            ),
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            operations.remove_user(ws, name).now()
        except Exception as exc:  # noqa: BLE001
            self.users_message.setText(store_error_text(exc))
            return
        self.users_message.setText(self.tr("User %1 was removed.").replace("%1", name))
        self._fill_users()

    # -- backups ---------------------------------------------------------------------------
    def _browse_backup_dir(self) -> None:
        folder = QFileDialog.getExistingDirectory(
            self, self.tr("Backup folder"), self.backup_dir.text()
        )
        if folder:
            self.backup_dir.setText(folder)
            self._backup_dir_chosen()

    def _backup_dir_chosen(self) -> None:
        if self.workspace is not None and self.backup_dir.text().strip():
            folder = self.backup_dir.text().strip()
            operations.set_setting(self.workspace, BACKUP_DIR_SETTING, folder).now()

    def _keep_chosen(self) -> None:
        if self.workspace is not None:
            operations.set_setting(self.workspace, KEEP_SETTING, self.backup_keep.value()).now()

    def _on_close_chosen(self, checked: bool) -> None:
        if self.workspace is not None:
            operations.set_setting(self.workspace, ON_CLOSE_SETTING, bool(checked)).now()

    def back_up(self) -> None:
        ws = self.workspace
        if ws is None:
            return
        self.backup_now_button.setEnabled(False)
        self.backup_message.setText(self.tr("Backing up…"))

        def done(path: Path) -> None:
            self.backup_now_button.setEnabled(True)
            self.backup_message.setText(self.tr("Backup written: %1").replace("%1", str(path)))

        def failed(exc: BaseException) -> None:
            self.backup_now_button.setEnabled(True)
            self.backup_message.setText(store_error_text(exc))

        operations.back_up(ws).success(done).failure(failed).with_runner(self.tasks).run()

    def _ask_restore(self) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self, self.tr("Choose a backup file"), self.backup_dir.text(), "UnionDesk (*.udbak)"
        )
        if not name:
            return
        secret, ok = QInputDialog.getText(
            self,
            self.tr("Restore a backup"),
            self.tr(
                "The workspace is replaced by the backup (the current one is kept aside). Your password at the time of the backup, or the recovery key:"
            ),
            QLineEdit.EchoMode.Password,
        )
        if ok and secret:
            self.restore_requested.emit(Path(name), secret)

    # -- check -----------------------------------------------------------------------------
    def check_workspace(self) -> None:
        ws = self.workspace
        if ws is None:
            return
        self.check_message.setText(self.tr("Checking…"))

        def done(report: Any) -> None:
            if report.ok:
                self.check_message.setText(
                    self.tr(
                        "The workspace is sound: database, audit chain and key slots check clean."
                    )
                )
            else:
                lines = "\n".join(report.problems)
                self.check_message.setText(self.tr("Problems found:") + "\n" + lines)

        def failed(exc: BaseException) -> None:
            self.check_message.setText(store_error_text(exc))

        operations.check_workspace(ws).success(done).failure(failed).with_runner(self.tasks).run()

    # -- language --------------------------------------------------------------------------
    def retranslate(self) -> None:
        self.language.blockSignals(True)
        self.language.setCurrentIndex(self.language.findData(i18n.current_language()))
        self.language.blockSignals(False)
        self.title.setText(self.tr("Settings"))
        self.general.setTitle(self.tr("General"))
        self.language_label.setText(self.tr("Language"))
        self.idle_label.setText(self.tr("Lock after idle minutes"))
        self.idle_hint.setText(
            self.tr("The window locks itself after this many minutes without use (0: never).")
        )
        self.password_group.setTitle(self.tr("My password"))
        set_access_key(self.change_password_button, self.tr("Change my password"), "W")
        self.users_group.setTitle(self.tr("Users and roles"))
        self.users_table.setHorizontalHeaderLabels([self.tr("User"), self.tr("Role")])
        self.new_user_label.setText(self.tr("New user"))
        self.new_role_label.setText(self.tr("Role"))
        current = self.new_role.currentData()
        self.new_role.clear()
        for role in ROLES:
            self.new_role.addItem(role_text(role), role)
        self.new_role.setCurrentIndex(max(self.new_role.findData(current or "clerk"), 0))
        set_access_key(self.add_user_button, self.tr("Add user"), "U")
        set_access_key(self.remove_user_button, self.tr("Remove selected user"), "R")
        self.backup_group.setTitle(self.tr("Backups"))
        self.backup_dir_label.setText(self.tr("Backup folder"))
        set_access_key(self.backup_browse, self.tr("Browse…"), "O")
        self.backup_keep_label.setText(self.tr("Keep the newest"))
        self.backup_keep.setSuffix(self.tr(" backups"))
        self.backup_on_close.setText(self.tr("Back up automatically when closing"))
        set_access_key(self.backup_now_button, self.tr("Back up now"), "B")
        set_access_key(self.restore_button, self.tr("Restore a backup…"), "E")
        self.check_group.setTitle(self.tr("Workspace check"))
        set_access_key(self.check_button, self.tr("Check the workspace"), "K")
        self.idle_minutes.setSuffix(self.tr(" min"))
        if self.workspace is not None and self.workspace.user.can("manage_users"):
            self._fill_users()
