"""Words for the store's errors (the store raises classes with codes; the UI says them)."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from desktop.store.record import STATUSES as RECORD_STATUSES

translate = QCoreApplication.translate


def store_error_text(exc: BaseException) -> str:
    """A clear sentence in the current language for an exception from ``desktop.store``."""
    code = getattr(exc, "code", "")
    if code == "store.too_many_attempts":
        seconds = int(round(getattr(exc, "retry_after", 0)))
        return translate(
            "StoreErrors", "Too many wrong passwords. Try again in %1 second(s)."
        ).replace("%1", str(seconds))
    if code == "store.wrong_password":
        delay = float(getattr(exc, "delay_seconds", 0) or 0)
        text = translate("StoreErrors", "Wrong password.")
        if delay >= 1:
            text += " " + translate(
                "StoreErrors", "Wait %1 second(s) before the next try."
            ).replace("%1", str(int(delay)))
        return text
    if code == "store.weak_password":
        from desktop.ui.password_strength import problem_text

        return problem_text(getattr(exc, "problem", "password.too_short"))
    messages = {
        "store.invalid_recovery_key": translate(
            "StoreErrors", "This recovery key is mistyped: check the groups against the printout."
        ),
        "store.unknown_user": translate(
            "StoreErrors", "There is no user of that name in this workspace."
        ),
        "store.tampered_database": translate(
            "StoreErrors",
            "The workspace database was altered or damaged outside UnionDesk. Restore a backup.",
        ),
        "store.damaged_key_slots": translate(
            "StoreErrors",
            "The key file of this workspace is damaged. Restore a backup or use the recovery key.",
        ),
        "store.corrupt_workspace": translate(
            "StoreErrors", "The workspace folder is incomplete or unreadable. Restore a backup."
        ),
        "store.newer_version": translate(
            "StoreErrors",
            "This workspace was written by a newer UnionDesk. Install the newer version to open it.",
        ),
        "store.workspace_exists": translate(
            "StoreErrors", "That folder already holds a workspace."
        ),
        "store.not_a_backup": translate(
            "StoreErrors",
            "This file is not a UnionDesk backup. Choose a backup file (its name ends in .udbak).",
        ),
        "store.damaged_backup": translate(
            "StoreErrors",
            "This backup file is incomplete or damaged (perhaps cut short while copying). Nothing was restored: use another backup.",
        ),
        "store.closed": translate("StoreErrors", "The workspace is locked or closed."),
        "store.permission_denied": translate("StoreErrors", "Your role does not allow this."),
        "store.validation_failed": translate("StoreErrors", "Some fields need attention."),
        "store.record_not_found": translate("StoreErrors", "The record no longer exists."),
        "store.record_locked": translate(
            "StoreErrors",
            "This record was signed off and cannot change; enter a correction as a new record.",
        ),
        "store.record_not_editable": translate(
            "StoreErrors", "This record is with the county for review and cannot change now."
        ),
        "store.unknown_form": translate("StoreErrors", "This form is not known to the workspace."),
        "store.disk_full": translate(
            "StoreErrors",
            "The disk is full: the change was not saved. Free some space and save again.",
        ),
        "store.storage_error": translate(
            "StoreErrors",
            "The computer could not read or write the workspace files. Nothing saved was lost.",
        ),
    }
    if code in messages:
        return messages[code]
    return translate("StoreErrors", "Something went wrong: %1").replace(
        "%1", str(exc) or type(exc).__name__
    )


def restore_error_text(exc: BaseException, folder: object) -> str:
    """Why restoring a backup into ``folder`` failed, in the current language."""
    code = getattr(exc, "code", "")
    if code == "store.wrong_password":
        return translate(
            "StoreErrors",
            "Wrong password for this backup. Use the password the user had when the backup was made, or the recovery key.",
        )
    if code == "store.workspace_exists":
        return translate(
            "StoreErrors",
            "The folder %1 already holds a workspace: nothing was restored and that workspace was left as it is.",
        ).replace("%1", str(folder))
    return store_error_text(exc)


def role_text(role: str) -> str:
    """A user role in the current language."""
    names = {
        "admin": translate("Roles", "Administrator"),
        "clerk": translate("Roles", "Clerk"),
        "auditor": translate("Roles", "Auditor"),
        "reviewer": translate("Roles", "County reviewer"),
    }
    return names.get(role, role)


def status_text(status: str) -> str:
    """A record status (sync lifecycle) in the current language."""
    names = {
        "draft": translate("Statuses", "Draft"),
        "ready": translate("Statuses", "Ready to sync"),
        "queued": translate("Statuses", "Waiting to upload"),
        "delivered": translate("Statuses", "Delivered to county"),
        "accepted": translate("Statuses", "Accepted by county"),
        "returned": translate("Statuses", "Returned by county"),
        "forwarded": translate("Statuses", "Forwarded to province"),
        "confirmed": translate("Statuses", "Confirmed by province"),
        "rejected": translate("Statuses", "Rejected: fix and save again"),
    }
    return names.get(status, status)


STATUSES: tuple[str, ...] = RECORD_STATUSES  # the store's lifecycle, in order
