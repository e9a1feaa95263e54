"""Throughput of the `gm` suite against the `intl` suite, measured in the same run (issue 16).

Run: ``.venv/bin/python -m bench.bench_crypto_suites [--smoke] [--members N] [--batch B]``.

1. Primitives: signatures made and verified per second (a 300-byte header, the size of a signed
   batch header), sealing / opening a 256 KiB payload (a full batch) per second.
2. The chain, through the protocol code (``sync.crypto`` dispatching on the key's suite):
   **seal** (a township seals member batches: canonical JSON, gzip, HPKE or SM2+SM4-GCM, SHA-256
   or SM3 manifest, Ed25519 or SM2 signature), **verify** (the county checks signature, hashes,
   opens and checks the manifest: ``open_batch``) and **ingest** (the county's real ingest of the
   same batches: verify, decrypt, re-validate, field-encrypt, store, signed receipt) in
   records per second, into a fresh county of each suite; best of 3 alternating runs.

Then the gm/intl time ratio of each (target for the chain: gm within 1.5x of intl). ``intl``:
Ed25519, HPKE X25519/HKDF-SHA256/AES-256-GCM, SHA-256, AES-256-GCM fields; ``gm``: SM2 (GmSSL),
SM2 KEM + SM4-GCM, SM3, SM4-GCM fields and HMAC-SM3 index (OpenSSL).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.bench_field_encryption import _member
from sync import crypto, crypto_gm
from sync.protocol import EnrollRequest, Envelope
from sync.server.config import init_data_dir
from sync.server.domain.ingest import ingest
from sync.server.domain.service import Server

TOWN = "330106001"


def per_second(fn: Callable[[], object], count: int) -> float:
    start = time.perf_counter()
    for _ in range(count):
        fn()
    return count / (time.perf_counter() - start)


def _county(root: Path, suite: str) -> tuple[Server, crypto.SigningKey, str]:
    server = Server(init_data_dir(root / suite, level="county", name="西湖区总工会",
                                  org_unit_code="330106", crypto_suite=suite))  # fmt: skip
    server.store.add_org_unit(TOWN, "西溪街道总工会", "330106", "township")
    key = crypto.new_signing_key(suite)
    req = EnrollRequest(code=server.make_enroll_code(TOWN),
                        device_public_key=crypto.public_bytes(key))  # fmt: skip
    return server, key, server.enroll(json.loads(req.to_json())).device_id


def chain_run(root: Path, suite: str, members: int, batch: int) -> dict[str, float]:
    """Seconds to seal, verify+open and ingest ``members`` member records in batches."""
    server, key, device_id = _county(root, suite)
    union = str(uuid.uuid4())
    chunks = [
        [_member(union, n) for n in range(start, min(members, start + batch))]
        for start in range(0, members, batch)
    ]
    t0 = time.perf_counter()
    bodies = [
        crypto.seal_batch(
            device_key=key, device_id=device_id, batch_id=str(uuid.uuid4()), device_seq=seq,
            records=recs, audit_head="0" * 64, recipient_public=server.hpke_public,
        ).to_json()
        for seq, recs in enumerate(chunks, start=1)
    ]  # fmt: skip
    t1 = time.perf_counter()
    public = crypto.public_bytes(key)
    for body in bodies:
        crypto.open_batch(Envelope.from_json(body), hpke_key=server.data.hpke_key,
                          device_public=public)  # fmt: skip
    t2 = time.perf_counter()
    for body in bodies:
        receipt: Any = json.loads(ingest(server, body))
        assert all(r["status"] == "received" for r in receipt["records"]), receipt["records"][:1]
    t3 = time.perf_counter()
    assert json.loads(bodies[0]).get("suite", "intl") == suite
    server.store.close()
    shutil.rmtree(root / suite, ignore_errors=True)
    return {"seal": t1 - t0, "verify": t2 - t1, "ingest": t3 - t2}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="tiny counts, a second or two")
    parser.add_argument("--members", type=int, default=5000, help="records in the chain runs")
    parser.add_argument("--batch", type=int, default=1000, help="records per batch")
    args = parser.parse_args(argv)
    if args.smoke:
        args.members, args.batch = 100, 50
    n_sign, n_seal = (50, 5) if args.smoke else (3000, 60)
    header = os.urandom(300)
    payload = os.urandom(256 << 10)  # a gzipped 1,000-member batch is ~150-250 KiB
    info = b"batch-info"

    ed = crypto.new_signing_key()
    ed_sig = crypto.sign(ed, header)
    ed_pub = crypto.public_bytes(ed)
    x = crypto.new_hpke_key()
    x_pub = crypto.public_bytes(x)
    x_sealed = crypto.hpke_seal(x_pub, payload, info)

    sm_priv, sm_pub = crypto_gm.sm2_new_key()
    sm_sig = crypto_gm.sm2_sign(sm_priv, sm_pub, header)
    sm_sealed = crypto_gm.sm2_seal(sm_pub, payload, info)

    rows = [
        (
            "sign 300 B",
            per_second(lambda: crypto.sign(ed, header), n_sign),
            per_second(lambda: crypto_gm.sm2_sign(sm_priv, sm_pub, header), n_sign),
        ),
        (
            "verify 300 B",
            per_second(lambda: crypto.verify(ed_pub, ed_sig, header), n_sign),
            per_second(lambda: crypto_gm.sm2_verify(sm_pub, header, sm_sig), n_sign),
        ),
        (
            "seal 256 KiB",
            per_second(lambda: crypto.hpke_seal(x_pub, payload, info), n_seal),
            per_second(lambda: crypto_gm.sm2_seal(sm_pub, payload, info), n_seal),
        ),
        (
            "open 256 KiB",
            per_second(lambda: crypto.hpke_open(x, x_sealed, info), n_seal),
            per_second(lambda: crypto_gm.sm2_open(sm_priv, sm_sealed, info), n_seal),
        ),
    ]
    print(f"{'operation':<14}{'intl /s':>12}{'gm /s':>12}{'gm time / intl time':>22}")
    for name, intl_rate, gm_rate in rows:
        print(f"{name:<14}{intl_rate:>12.0f}{gm_rate:>12.0f}{intl_rate / gm_rate:>22.2f}x")

    root = Path(tempfile.mkdtemp(prefix="bench-suites-"))
    best: dict[str, dict[str, float]] = {}
    try:
        for _ in range(1 if args.smoke else 3):  # alternating: neither suite gets a warm cache
            for suite in crypto.SUITES:
                run = chain_run(root, suite, args.members, args.batch)
                old = best.setdefault(suite, run)
                best[suite] = {k: min(v, old[k]) for k, v in run.items()}
    finally:
        shutil.rmtree(root, ignore_errors=True)
    n = args.members
    print()
    print(f"the chain: {n} member records (ID number + mobile) in batches of {args.batch}")
    print(f"{'step':<14}{'intl rec/s':>12}{'gm rec/s':>12}{'gm time / intl time':>22}")
    for step in ("seal", "verify", "ingest"):
        intl_t, gm_t = best["intl"][step], best["gm"][step]
        print(f"{step:<14}{n / intl_t:>12.0f}{n / gm_t:>12.0f}{gm_t / intl_t:>22.2f}x")
    total = {s: sum(best[s].values()) for s in best}
    print(f"{'whole chain':<14}{n / total['intl']:>12.0f}{n / total['gm']:>12.0f}"
          f"{total['gm'] / total['intl']:>22.2f}x   (target: gm within 1.5x)")  # fmt: skip
    if args.smoke:
        print("(smoke run: counts too small for figures)")


if __name__ == "__main__":
    main()
