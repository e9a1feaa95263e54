"""Record data for counting (the statistics tables): every record of a form with its values as
stored — ID numbers not masked, so their validity and uniqueness can be checked — read in one
pass and never shown. Not audited as an unmask: only counts leave the caller
(:mod:`desktop.stats_facts`), never a value.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from desktop.store.workspace import Workspace


def raw_records(ws: Workspace, form_id: str) -> Iterator[tuple[str, str, bool, dict[str, Any]]]:
    """(uuid, status, locked, data) of every record of ``form_id``, in creation order."""
    ws._require_open()
    cursor = ws._connection().execute(
        "SELECT uuid, status, locked, data FROM records WHERE form_id = ? ORDER BY id", (form_id,)
    )
    for uuid, status, locked, data in cursor:
        try:
            values = json.loads(data) if isinstance(data, str | bytes) else {}
            if isinstance(values, dict):
                values = ws._cipher.open_data(str(uuid), values)
        except ValueError:
            values = {}
        yield str(uuid), str(status), bool(locked), values if isinstance(values, dict) else {}
