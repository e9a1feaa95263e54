"""Finding and loading definitions: the shipped ones in ``forms/definitions/`` and ones received
by sync. Files are read, never written; compiled forms are cached by (id, version, hash).
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from forms import messages
from forms.errors import DefinitionError
from forms.model import Form
from forms.schema import load_definition

DEFINITIONS_DIR = Path(__file__).resolve().parent / "definitions"

#: Version string of the shipped definition set (bump when a shipped definition changes).
FORMS_VERSION = "2026.11.1"


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in pairs:
        if k in out:
            raise ValueError(f"duplicate key {k!r}")
        out[k] = v
    return out


def parse_json(text: str | bytes, source: str) -> Any:
    """JSON text -> object, refusing duplicate keys; errors name the source, line and column."""
    try:
        return json.loads(text, object_pairs_hook=_no_duplicates)
    except json.JSONDecodeError as exc:
        raise DefinitionError(source, f"line {exc.lineno} column {exc.colno}", exc.msg) from None
    except (ValueError, RecursionError) as exc:
        raise DefinitionError(source, "$", str(exc)[:200]) from None


def load_form_dict(raw: dict[str, Any] | str | bytes, source: str = "<definition>") -> Form:
    """Check, compile and hash a definition (a dict, or JSON text) e.g. one received by sync."""
    if isinstance(raw, str | bytes):
        raw = parse_json(raw, source)
    form = load_definition(raw, source)
    messages.register(form.messages())
    return form


def load_form_file(path: str | Path) -> Form:
    """Load one definition file (errors name the file)."""
    p = Path(path)
    return load_form_dict(parse_json(p.read_bytes(), p.name), p.name)


@lru_cache(maxsize=1)
def _index() -> dict[tuple[str, int], Path]:
    found: dict[tuple[str, int], Path] = {}
    for p in sorted(DEFINITIONS_DIR.glob("*.json")):
        try:
            raw = json.loads(p.read_bytes())
            key = (raw["id"], raw["version"])
        except (ValueError, KeyError, TypeError):
            continue  # load_form_file(p) names the problem
        if isinstance(key[0], str) and isinstance(key[1], int):
            found[key] = p
    return found


def available_forms() -> list[tuple[str, int]]:
    """(form id, version) of every shipped definition, sorted."""
    return sorted(_index())


@lru_cache(maxsize=64)
def _load_shipped(form_id: str, version: int) -> Form:
    return load_form_file(_index()[(form_id, version)])


def load_form(form_id: str, version: int | None = None) -> Form:
    """A shipped definition: the latest version of ``form_id``, or exactly ``version``."""
    versions = [v for (i, v) in _index() if i == form_id]
    if not versions:
        raise KeyError(f"no shipped form {form_id!r}")
    if version is None:
        version = max(versions)
    elif version not in versions:
        raise KeyError(f"no shipped form {form_id!r} version {version}")
    return _load_shipped(form_id, version)
