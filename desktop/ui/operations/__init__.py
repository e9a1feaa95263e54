"""Named operations on the open workspace, in one place (the model: Anki's ``aqt/operations`` with
``CollectionOp``).

A widget says *what* to run and *what to do on success*; :class:`WorkspaceOp` runs it off the GUI
thread through :mod:`desktop.ui.tasks` (so tests with :class:`~desktop.ui.tasks.ImmediateTaskRunner`
run it at once) and calls back on the GUI thread::

    operations.save_assessment(ws, session).success(self._saved).failure(self._failed).run()

A quick operation whose answer the widget needs before it goes on (a dialog's OK) may run on the
calling thread with :meth:`WorkspaceOp.now`; anything that reads many rows, writes a long file,
derives a key from a password or uses the network uses ``run()``.

Each function names one action the UI takes on a workspace and calls the domain, the link or the
store — never Qt: the widgets keep their own texts and states. The modules group them:
:mod:`~desktop.ui.operations.workspace` (create, sign in, restore, back up, check, close,
settings, users), :mod:`~desktop.ui.operations.records` (save, export, print, statistics, member
import), :mod:`~desktop.ui.operations.checklists` (the Audits page and the ledger scan),
:mod:`~desktop.ui.operations.sync` (enroll, sync, automatic sync, county review, the county's
statistics tables),
:mod:`~desktop.ui.operations.pages` (dashboard, assessments, transfers), and
:mod:`~desktop.ui.operations.backup` (the backup folder policy those use). Widgets call them under
the names below; ``tests/ui/test_operations_seam.py`` holds them to it.
"""

from __future__ import annotations

from desktop.ui.operations.checklists import (
    confirm_doubt,
    dismiss_doubt,
    list_checklists,
    open_rectifications,
    print_blank_checklist,
    print_checklist_report,
    print_doubts,
    print_rectifications,
    read_ledger,
    record_rectification_outcome,
    save_checklist,
    scan_ledger,
    sign_off_checklist,
    start_correction,
    store_ledger,
)
from desktop.ui.operations.core import WorkspaceOp
from desktop.ui.operations.pages import (
    accept_offer,
    cancel_transfer,
    confirm_transfer,
    incoming_offers,
    load_assessments,
    load_dashboard,
    new_assessment,
    pending_transfers,
    print_assessment,
    refuse_offer,
    request_external_transfer,
    save_assessment,
    transfer_member,
)
from desktop.ui.operations.records import (
    check_import,
    export_records,
    import_members,
    open_member_sheet,
    save_record,
    search_too_short,
    write_import_errors,
    write_member_template,
    write_roster,
    write_statistics,
)
from desktop.ui.operations.sync import (
    auto_sync_tick,
    create_and_enroll,
    enroll,
    fetch_statistics,
    review_decide,
    review_queue,
    review_record,
    set_auto_sync,
    sync_with_county,
)
from desktop.ui.operations.workspace import (
    add_user,
    back_up,
    change_password,
    check_workspace,
    close_workspace,
    create_workspace,
    open_demo,
    put_workspace_back,
    remove_user,
    restore_backup,
    set_setting,
    set_workspace_aside,
    sign_in,
    write_recovery_key,
)

__all__ = [
    "WorkspaceOp",
    "accept_offer",
    "add_user",
    "auto_sync_tick",
    "back_up",
    "cancel_transfer",
    "change_password",
    "check_import",
    "check_workspace",
    "close_workspace",
    "confirm_doubt",
    "confirm_transfer",
    "create_and_enroll",
    "create_workspace",
    "dismiss_doubt",
    "enroll",
    "export_records",
    "fetch_statistics",
    "import_members",
    "incoming_offers",
    "list_checklists",
    "load_assessments",
    "load_dashboard",
    "new_assessment",
    "open_demo",
    "open_member_sheet",
    "open_rectifications",
    "pending_transfers",
    "print_assessment",
    "print_blank_checklist",
    "print_checklist_report",
    "print_doubts",
    "print_rectifications",
    "put_workspace_back",
    "read_ledger",
    "record_rectification_outcome",
    "refuse_offer",
    "remove_user",
    "request_external_transfer",
    "restore_backup",
    "review_decide",
    "review_queue",
    "review_record",
    "save_assessment",
    "save_checklist",
    "save_record",
    "search_too_short",
    "scan_ledger",
    "set_auto_sync",
    "set_setting",
    "set_workspace_aside",
    "sign_in",
    "sign_off_checklist",
    "start_correction",
    "store_ledger",
    "sync_with_county",
    "transfer_member",
    "write_import_errors",
    "write_member_template",
    "write_recovery_key",
    "write_roster",
    "write_statistics",
]
