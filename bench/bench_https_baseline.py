"""Sync throughput against a bare HTTPS POST of the same bytes, on loopback, in one run.

    .venv/bin/python -m bench.bench_https_baseline [--records 100000] [--batch 1000]

Starts a real county server (HTTPS, SQLite) in this process, enrolls a device over the wire,
seals ``--records`` valid ``union`` records into batches (canonical JSON, gzip, HPKE, Ed25519),
uploads them one batch at a time and checks every signed receipt. Then it POSTs the very same
envelope bytes to a bare uvicorn app (same TLS certificate, handler only reads the body; asyncio
sets TCP_NODELAY, so no Nagle / delayed-ACK stall: the per-request time is printed) and prints
records/s for both and their ratio. Prints figures; not a pass/fail test.
"""

from __future__ import annotations

import argparse
import tempfile
import threading
import time
import uuid
from pathlib import Path

import requests
import uvicorn

from sync import crypto
from sync.protocol import EnrollRequest, EnrollResponse, Receipt
from sync.server.config import init_data_dir, load_data_dir
from sync.server.domain.service import Server
from sync.server.runner import ServerThread, free_port


def union_record(i: int, org_unit: str) -> dict:
    return {
        "uuid": str(uuid.uuid4()),
        "form_id": "union",
        "form_version": 1,
        "version": 1,
        "org_unit": org_unit,
        "status": "ready",
        "data": {
            "full_name": f"杭州示例第{i}科技有限公司工会",
            "union_type": "independent",
            "status": "active",
            "founded_date": "2020-01-02",
            "employer_name": f"杭州示例第{i}科技有限公司",
            "employer_nature": "enterprise_domestic",
            "division_code": "330106",
            "employees": 100 + i % 500,
            "members": 5 + i % 90,
        },
        "created_by": "clerk",
        "created_at": "2026-11-23T00:00:00Z",
        "updated_by": "clerk",
        "updated_at": "2026-11-23T00:00:00Z",
    }


async def bare_app(scope, receive, send) -> None:  # type: ignore[no-untyped-def]
    """The baseline: read the whole body over the same TLS, answer a tiny JSON."""
    if scope["type"] != "http":
        return
    more = True
    while more:
        message = await receive()
        more = message.get("more_body", False)
    await send(
        {"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"json")]}
    )
    await send({"type": "http.response.body", "body": b"{}"})


def start_bare(cert: Path, key: Path) -> tuple[uvicorn.Server, threading.Thread, str]:
    port = free_port()
    config = uvicorn.Config(
        bare_app,
        host="127.0.0.1",
        port=port,
        ssl_certfile=str(cert),
        ssl_keyfile=str(key),
        log_level="warning",
        lifespan="off",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    return server, thread, f"https://127.0.0.1:{port}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, a few seconds")
    args = parser.parse_args()
    if args.smoke:
        args.records, args.batch = 300, 100

    with tempfile.TemporaryDirectory() as tmp:
        data = init_data_dir(Path(tmp) / "county", level="county", name="基准县总工会",
                             org_unit_code="330106", crypto_suite="intl")  # fmt: skip
        data.config.max_batch_records = max(args.batch, data.config.max_batch_records)
        data.save_config()
        server = Server(load_data_dir(data.path))
        thread = ServerThread(server).start()
        org_unit = "330106001"
        server.store.add_org_unit(org_unit, "基准街道总工会", "330106", "township")
        session = requests.Session()
        session.trust_env = False
        session.verify = str(data.ca_path)
        key = crypto.new_signing_key()
        code = server.make_enroll_code(org_unit)
        enroll = EnrollRequest(code=code, device_public_key=crypto.public_bytes(key))
        resp = EnrollResponse.from_json(
            session.post(f"{thread.url}/v1/enroll", data=enroll.to_json(), timeout=30).content
        )

        records = [union_record(i, org_unit) for i in range(args.records)]
        t0 = time.perf_counter()
        envelopes: list[bytes] = []
        for seq, start in enumerate(range(0, len(records), args.batch), start=1):
            envelopes.append(
                crypto.seal_batch(
                    device_key=key,
                    device_id=resp.device_id,
                    batch_id=str(uuid.uuid4()),
                    device_seq=seq,
                    records=records[start : start + args.batch],
                    audit_head="0" * 64,
                    recipient_public=resp.server.hpke_public_key,
                ).to_json()
            )
        t_seal = time.perf_counter() - t0

        t0 = time.perf_counter()
        received = 0
        for body in envelopes:
            r = session.post(f"{thread.url}/v1/batches", data=body, timeout=300)
            r.raise_for_status()
            doc = crypto.verify_signed_json(resp.server.signing_key, r.content)
            received += sum(s.status == "received" for s in Receipt.from_dict(doc).records)
        t_upload = time.perf_counter() - t0
        assert received == args.records, f"only {received} of {args.records} received"

        bare, bare_thread, bare_url = start_bare(data.cert_path, data.key_path)
        t0 = time.perf_counter()
        for body in envelopes:
            session.post(f"{bare_url}/", data=body, timeout=300).raise_for_status()
        t_bare = time.perf_counter() - t0
        bare.should_exit = True
        bare_thread.join(timeout=10)
        thread.stop()
        server.store.close()

    n = args.records
    size = sum(len(b) for b in envelopes)
    print(f"records: {n} in {len(envelopes)} batches of {args.batch}; {size / 1e6:.1f} MB sealed")
    print(f"seal (client side):           {n / t_seal:10.0f} records/s  ({t_seal:.2f} s)")
    print(f"upload + ingest + receipts:   {n / t_upload:10.0f} records/s  ({t_upload:.2f} s)")
    print(f"seal + upload (end to end):   {n / (t_seal + t_upload):10.0f} records/s")
    print(f"bare HTTPS POST, same bytes:  {n / t_bare:10.0f} records/s  ({t_bare:.2f} s)")
    print(
        f"bare POST per request:        {t_bare / len(envelopes) * 1000:10.2f} ms (no Nagle stall)"
    )
    print(f"ratio sync / bare POST time:  {(t_seal + t_upload) / t_bare:10.1f} x")


if __name__ == "__main__":
    main()
