"""Small builders for test definitions."""

from __future__ import annotations

from typing import Any


def label(text: str) -> dict[str, str]:
    return {"zh_CN": text, "en": text}


def field(fid: str, ftype: str = "integer", **kw: Any) -> dict[str, Any]:
    return {"id": fid, "type": ftype, "label": label(fid), **kw}


def definition(*fields: dict[str, Any], form_id: str = "t", version: int = 1) -> dict[str, Any]:
    return {
        "id": form_id,
        "version": version,
        "title": label("test"),
        "sections": [{"id": "s", "title": label("s"), "fields": list(fields)}],
    }
