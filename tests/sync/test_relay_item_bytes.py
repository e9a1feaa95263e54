"""The relay item a county queues for an accepted record is the canonical JSON of the item,
byte for byte, though the acceptance's JSON is made once and reused (issue 20)."""

from __future__ import annotations

from sync.protocol import canonical_json
from sync.server.domain.review import relay_item, relay_item_json


def test_relay_item_json_is_the_canonical_json_of_the_item() -> None:
    record = {
        "uuid": "0b6f0c1e-2a4d-4b8e-9a51-2f3c4d5e6f70",
        "version": 2,
        "form_id": "member",
        "data": {"name": "王伟", "changes": [{"kind": "join", "date": "2020-01-01"}], "n": 1.5},
        "status": "ready",
    }
    acceptance = {"type": "acceptance", "record_uuid": record["uuid"], "reviewer": "王审核",
                  "version": 2, "signature": "c2ln", "suite": "gm"}  # fmt: skip
    made = relay_item_json(record, "batch-1", canonical_json(acceptance))
    assert made == canonical_json(relay_item(record, "batch-1", acceptance))
