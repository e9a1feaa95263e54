"""Words for sync errors and for the county's refusal reasons (codes -> translated text)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import QCoreApplication, QLocale

CONTEXT = "SyncText"


def _tr(text: str) -> str:
    return QCoreApplication.translate(CONTEXT, text)


def local_time(iso: str | None) -> str:
    """An ISO 8601 UTC time as local ``yyyy-MM-dd HH:mm:ss`` (empty for None / unparsable)."""
    if not iso:
        return ""
    try:
        moment = dt.datetime.fromisoformat(str(iso).replace("Z", "+00:00"))
    except ValueError:
        return str(iso)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone().strftime("%Y-%m-%d %H:%M:%S")


def error_text(exc: BaseException) -> str:
    """A clear sentence for a failed enrollment or sync (no personal data)."""
    code = getattr(exc, "code", None)
    words = {
        "unreachable": _tr(
            "The county server cannot be reached. Records stay safe here and go "
            "out automatically when the connection is back."
        ),
        "device_revoked": _tr(
            "The county server no longer accepts this computer. Ask the county to enroll it again."
        ),
        "not_enrolled": _tr("This workspace is not enrolled with a county server yet."),
        "already_enrolled": _tr("This workspace is already enrolled."),
        "code_refused": _tr(
            "The enrollment code was refused: it is wrong, used or expired. "
            "Ask the county for a new code."
        ),
        "bad_receipt": _tr(
            "The county's answer could not be verified; nothing was marked as sent."
        ),
        "bad_message": _tr("A message from the county could not be verified and was not applied."),
        "bad_url": _tr("The server address is not valid; it starts with https://"),
        "stale_sequence": _tr(
            "The county has already received later batches from this "
            "computer. Was the workspace restored from an older backup? "
            "Ask the county for help."
        ),
        "not_allowed": _tr("Only a clerk or an administrator may sync."),
        "wrong_server": _tr("This is not the server the enrollment code was made for."),
        "wrong_org_unit": _tr("The code was made for another org unit than this workspace."),
    }
    for refused in ("enroll_code_invalid", "enroll_code_used", "enroll_code_expired"):
        words[refused] = words["code_refused"]
    words["unknown_device"] = words["device_revoked"]
    if code in words:
        return words[code]
    if getattr(exc, "status", None) or code in ("stale_sequence", "batch_too_large"):
        return _tr("The county server refused the data: %1").replace("%1", str(code))
    return _tr("Sync failed: %1").replace("%1", str(exc))


def reason_text(error: Mapping[str, Any]) -> str:
    """One refusal reason (error code + field + params from a receipt) in words."""
    code = str(error.get("code", ""))
    field = error.get("field")
    params = dict(error.get("params") or {})
    sync_words = {
        "sync.wrong_org_unit": _tr("the record belongs to another org unit"),
        "sync.unknown_form": _tr("the county does not know this form version"),
        "sync.bad_record": _tr("the record is incomplete"),
        "sync.version_conflict": _tr(
            "the county already has other content for this version (changed on another copy, "
            "e.g. before an older backup was restored); nothing was overwritten"
        ),
        "sync.duplicate_in_batch": _tr("the record was twice in one batch"),
        "sync.transfer_unknown_org_unit": _tr(
            "the county does not know the receiving township (check its org-unit code); "
            "withdraw the transfer and request it again"
        ),
        "sync.transfer_same_township": _tr(
            "the receiving township is this township: transfer the member within this workspace"
        ),
        "sync.transfer_mismatch": _tr("the transfer names another sending township"),
        "sync.transfer_conflict": _tr(
            "the county already has another request with this transfer number"
        ),
        "sync.transfer_unknown": _tr("the county has no such transfer"),
        "sync.transfer_not_addressed": _tr("this transfer is not this township's to answer"),
        "sync.transfer_answered": _tr("the transfer was already answered or withdrawn"),
    }
    if code in sync_words:
        text = sync_words[code]
        return f"{field}: {text}" if field else text
    lang = "zh_CN" if QLocale().name().startswith("zh") else "en"
    try:
        import forms

        text = forms.message(code, lang=lang, **params)
    except Exception:  # an unknown code or an older forms package: show the code itself
        text = code
    return f"{field}: {text}" if field else text
