"""Make ``intl_step5/``: a township workspace written by UnionDesk before crypto suites (schema
steps 1..5, commit be698d9), for the forward test of ``test_gm_workspace.py``.

    git archive be698d9 desktop forms sync resources | tar -x -C /tmp/old
    PYTHONPATH=/tmp/old python tests/store/old_workspace/make_fixture.py tests/store/old_workspace/intl_step5

The old program makes the file; this script only uses its public API. Password ``Chief-pass-1``;
the recovery key is written to ``recovery_key.txt`` beside it (test data, nothing real).
"""

from __future__ import annotations

import sys
from pathlib import Path

from desktop.store import KdfParams, Workspace, migrations

FAST_KDF = KdfParams(memory_kib=1024, iterations=1, lanes=1)


def main(out: Path) -> None:
    assert migrations.latest() == 5, "run this with the pre-step-6 program on PYTHONPATH"
    sys.path.insert(0, str(Path(__file__).resolve().parents[3]))
    from tests.store import helpers as h

    ws, rk = Workspace.create(
        out, org_unit_code="330106001", admin_password="Chief-pass-1", kdf=FAST_KDF
    )
    u = ws.records.save("union", h.union(0))
    recs = [ws.records.save("member", h.member(i, u.uuid)) for i in range(1, 6)]
    first = ws.records.get(recs[0].uuid, unmask=True)
    ws.records.save(
        "member", {**first.data, "mobile": h.mobile(99)}, record_uuid=first.uuid
    )  # the old mobile now lives only in record_versions
    ws.close(backup=False)
    (out / "recovery_key.txt").write_text(rk + "\n")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
