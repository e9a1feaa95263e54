"""County ingest with and without field encryption, in the same run (issue: cost at most 1.3x).

    .venv/bin/python -m bench.bench_field_encryption [--members 20000] [--batch 1000]

The same signed, HPKE-sealed township batches of member records (each with an ID number and a
mobile phone: the sensitive fields of the member form) go through the county's real ingest
(verify, decrypt, re-validate, store, signed receipt) twice, into two fresh county databases:
once with the server's real ``Sealer`` (every sensitive value AES-256-GCM sealed, a blind-index
row per value, the receipt and inbox message sealed), once with a baseline sealer that stores
everything as plaintext (what the county did before field encryption). Runs alternate and
the best of five runs of each kept (wall and CPU time); a third series seals with the gm suite
(SM4-GCM, HMAC-SM3) for the 国密 comparison, so neither side pays the warm-up.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from sync import crypto
from sync.protocol import EnrollRequest, canonical_json
from sync.server.config import init_data_dir
from sync.server.domain.ingest import ingest
from sync.server.domain.personal import Sealer
from sync.server.domain.service import Server

TOWN = "330106001"


class PlaintextSealer(Sealer):
    """The baseline: nothing sealed, no blind index (the county before field encryption)."""

    def seal_for_storage(self, record: Any) -> tuple[str, list[Any]]:
        return canonical_json(record).decode("utf-8"), []

    def seal_doc(self, kind: str, ident: str, plain: bytes) -> str:
        return plain.decode("utf-8")

    def open_doc(self, kind: str, ident: str, sealed: str | bytes) -> bytes:
        return sealed if isinstance(sealed, bytes) else sealed.encode("utf-8")


def _check_char(first17: str) -> str:
    from forms.ids import resident_id_check_char

    return resident_id_check_char(first17)


def _member(union: str, n: int) -> dict[str, Any]:
    first17 = f"330106{1970 + n % 30}{1 + n % 12:02d}{1 + n % 28:02d}{n % 1000:03d}"
    return {
        "uuid": str(uuid.uuid4()),
        "form_id": "member",
        "form_version": 1,
        "version": 1,
        "org_unit": TOWN,
        "status": "ready",
        "data": {
            "union": union,
            "name": f"会员{n}",
            "id_number": first17 + _check_char(first17),
            "mobile": f"139{n:08d}",
            "join_date": "2019-05-01",
            "changes": [{"kind": "join", "date": "2019-05-01"}],
        },
        "created_by": "clerk",
        "created_at": "2026-11-23T00:00:00Z",
        "updated_by": "clerk",
        "updated_at": "2026-11-23T00:00:00Z",
    }


def _county(root: Path, name: str, suite: str = "intl") -> tuple[Server, Any, str]:
    server = Server(init_data_dir(root / name, level="county", name="西湖区总工会",
                                  org_unit_code="330106", crypto_suite=suite))  # fmt: skip
    server.store.add_org_unit(TOWN, "西溪街道总工会", "330106", "township")
    key = crypto.new_signing_key(server.data.signing_suite)  # gm county: an SM2 device key
    req = EnrollRequest(code=server.make_enroll_code(TOWN),
                        device_public_key=crypto.public_bytes(key))  # fmt: skip
    return server, key, server.enroll(json.loads(req.to_json())).device_id


def _run(
    root: Path, name: str, members: int, batch: int, plaintext: bool, suite: str = "intl"
) -> tuple[float, float]:
    """Wall and CPU seconds the county's ingest takes for ``members`` records (the township's
    sealing of the batches not counted)."""
    server, key, device_id = _county(root, name, suite)
    if plaintext:
        server.sealer = PlaintextSealer(server.data.cipher, server.sensitive_fields)
    union = str(uuid.uuid4())
    bodies = []
    for seq, start in enumerate(range(0, members, batch), start=1):
        recs = [_member(union, n) for n in range(start, min(members, start + batch))]
        env = crypto.seal_batch(
            device_key=key, device_id=device_id, batch_id=str(uuid.uuid4()), device_seq=seq,
            records=recs, audit_head="0" * 64, recipient_public=server.hpke_public,
        )  # fmt: skip
        bodies.append(env.to_json())
    t0, c0 = time.perf_counter(), time.process_time()
    for body in bodies:
        receipt = json.loads(ingest(server, body))
        assert all(r["status"] == "received" for r in receipt["records"]), receipt["records"][:1]
    took = (time.perf_counter() - t0, time.process_time() - c0)
    stored = server.store.record_rows()
    assert len(stored) == members
    sealed = "$enc" in stored[0].content
    assert sealed != plaintext, "the run did not seal as asked"
    server.store.close()
    return took


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=20_000)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, a few seconds")
    args = parser.parse_args(argv)
    if args.smoke:
        args.members, args.batch = 200, 100
    root = Path(tempfile.mkdtemp(prefix="bench-fieldenc-"))
    try:
        plain: list[tuple[float, float]] = []
        sealed: list[tuple[float, float]] = []
        sealed_gm: list[tuple[float, float]] = []
        for i in range(1 if args.smoke else 5):  # alternating: neither side gets the warm cache
            plain.append(_run(root, f"plain-{i}", args.members, args.batch, True))
            sealed.append(_run(root, f"sealed-{i}", args.members, args.batch, False))
            sealed_gm.append(_run(root, f"gm-{i}", args.members, args.batch, False, "gm"))
    finally:
        shutil.rmtree(root, ignore_errors=True)
    (t_plain, c_plain), (t_sealed, c_sealed) = min(plain), min(sealed)
    c_plain, c_sealed = min(c for _, c in plain), min(c for _, c in sealed)
    t_gm = min(t for t, _ in sealed_gm)
    n = args.members
    print(f"county ingest of {n} member records (ID number + mobile each), batches of {args.batch}")
    print(f"without field encryption: {t_plain:7.2f} s  {n / t_plain:9.0f} records/s"
          f"  (CPU {c_plain:.2f} s)")  # fmt: skip
    print(f"with field encryption:    {t_sealed:7.2f} s  {n / t_sealed:9.0f} records/s"
          f"  (CPU {c_sealed:.2f} s)")  # fmt: skip
    print(
        f"with gm field encryption: {t_gm:7.2f} s  {n / t_gm:9.0f} records/s  (SM4-GCM, HMAC-SM3)"
    )
    print(f"ratio with / without: {t_sealed / t_plain:.2f}x wall, {c_sealed / c_plain:.2f}x CPU "
          "(target: at most 1.3x)")  # fmt: skip
    print(f"ratio gm / intl field encryption: {t_gm / t_sealed:.2f}x (target: gm within 1.5x)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
