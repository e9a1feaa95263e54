"""Sync throughput: N records from a real township workspace to a real county over loopback HTTPS.

    .venv/bin/python -m bench.bench_sync [--records 100000] [--batch 1000] [--form member|union]

Member records by default (the form townships send in bulk: personal values sealed field by
field at the county), ``--form union`` for union records.

Prints records/s for the whole sync (seal: canonical JSON + gzip + HPKE + Ed25519, upload, server
verify / decrypt / re-validate / store, signed receipt, acknowledge in the encrypted store) and
for two baselines in the same run: a bare HTTPS POST of the very same envelope bytes to a
do-nothing HTTPS server with the same certificate (TCP_NODELAY, one write per answer, over a
keep-alive ``requests`` session: no Nagle stall), and the "floor", the county's own
validate + store of the same records (no network, no crypto). The ratios say what the protocol
costs over moving the bytes and over the work the county must do anyway. The county runs as its own process (``uniondesk-server
serve``), like in real life, so client and server do not share one Python interpreter.

Measured 2026-12-07 22:03 UTC (load 0.0-0.4), --records 5000, A/B interleaved integ / valid:
sync 4,536 / 4,279 and 5,340 / 4,846 records/s; floor 14,671 / 14,267 and 14,370 / 14,664
records/s; timers (no profiler) in the floor: validation_errors 22.1-22.9 us/record (integ) vs
20.5-21.3 (valid), insert_records (seal + SQL) 36.5-39.3 us. Neither 15,000/s nor 2x is met;
validation is ~35 % of the floor, sealing + SQL the rest (cProfile inflates validate's share).
"""

from __future__ import annotations

import argparse
import shutil
import ssl
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import requests

TOWN = "330106001"
PASSWORD = "bench-Password-1"


class _Sink(BaseHTTPRequestHandler):
    """The do-nothing server: reads the body, answers at once.

    TCP_NODELAY on its socket and the status line, headers and body in ONE write: written in
    two pieces, the second waits for the client's delayed ACK of the first (Nagle), ~40 ms a
    request on loopback, which made the baseline slow and the protocol look cheap. The client
    side (urllib3) sets TCP_NODELAY itself; the session keeps the connection alive."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def do_POST(self) -> None:  # noqa: N802 - http.server API
        left = int(self.headers.get("Content-Length", "0"))
        while left:
            left -= len(self.rfile.read(min(left, 1 << 20)))
        body = b'{"ok":true}'
        head = (
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\nConnection: keep-alive\r\n\r\n"
        )
        self.wfile.write(head.encode("ascii") + body)
        self.wfile.flush()

    def log_message(self, *args: Any) -> None:
        return None


def _start_county(data: Path) -> tuple[subprocess.Popen[bytes], str]:
    from bench.serve_process import start_serve

    return start_serve(data, "county")


def _record(n: int) -> dict[str, Any]:
    return {
        "full_name": f"杭州示例{n}科技有限公司工会委员会",
        "union_type": "independent",
        "status": "active",
        "founded_date": "2020-01-02",
        "employer_name": f"杭州示例{n}科技有限公司",
        "employer_nature": "enterprise_domestic",
        "division_code": TOWN,
        "employees": 10 + n % 300,
        "members": 8 + n % 3,
        "female_employees": 3,
        "chair_name": "张三",
        "address": f"杭州市西湖区文三路{n}号",
    }


def _member(n: int, union: str) -> dict[str, Any]:
    """A valid member of ``union`` (synthetic name, resident ID with its check digit, phone):
    the form townships send in bulk."""
    import forms

    day, month, year = 1 + n % 28, 1 + (n // 28) % 12, 1960 + (n // 336) % 40
    body = f"330106{year:04d}{month:02d}{day:02d}{(n // 13440) % 500 * 2 + 1:03d}"
    idn = body + forms.resident_id_check_char(body)
    surnames, given = (
        "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗",
        "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超",
    )
    return {
        "union": union,
        "name": surnames[n % 20] + given[(n // 20) % 19] + given[(n // 380) % 19],
        "id_type": "resident_id",
        "id_number": idn,
        "gender": "male",
        "birth_date": f"{idn[6:10]}-{idn[10:12]}-{idn[12:14]}",
        "ethnicity": "汉族",
        "mobile": f"139{n:08d}",
        "employment_form": "standard",
        "join_date": "2020-01-01",
        "member_type": "普通",
    }


def _stored_batches(server: Any) -> list[tuple[str, str, list[tuple[dict[str, Any], str]]]]:
    """(batch id, device id, [(record as sent, its sha256)]) of what the county stored, in
    order; then removed (with their blind-index rows), so the floor stores them again."""
    from sqlalchemy import select

    from sync.server.tables import records, sensitive_index

    out: dict[str, tuple[str, str, list[tuple[dict[str, Any], str]]]] = {}
    with server.store.write() as conn:
        query = select(records.c.batch_id, records.c.device_id, records.c.content,
                       records.c.record_sha256).order_by(records.c.id)  # fmt: skip
        for row in conn.execute(query):
            entry = out.setdefault(row.batch_id, (row.batch_id, row.device_id, []))
            entry[2].append((server.sealer.open_content(row.content), row.record_sha256))
        conn.execute(sensitive_index.delete())
        conn.execute(records.delete())
    return list(out.values())


def floor_seconds(data: Path, key_file: Path) -> tuple[float, int]:
    """The floor: the county's own validate + store of the records it received (sealing its
    personal values included: the county must do that anyway), one transaction per batch as
    ingest does, on a copy of its database with the records removed (devices and batches
    kept). No network, no TLS, no HPKE / signatures, no receipt."""
    from sqlalchemy import select

    from sync.server.config import load_data_dir
    from sync.server.domain.formset import validation_errors
    from sync.server.domain.record_rows import insert_records, record_row
    from sync.server.domain.service import Server
    from sync.server.keyring import KeySource
    from sync.server.store import now_iso
    from sync.server.tables import records

    server = Server(load_data_dir(data, source=KeySource(key_file=key_file)))
    stored = _stored_batches(server)
    n = 0
    t0 = time.perf_counter()
    for batch_id, device_id, items in stored:
        with server.store.write() as conn:
            uuids = {rec["uuid"] for rec, _ in items}
            found = conn.execute(
                select(records.c.record_uuid).where(records.c.record_uuid.in_(uuids))
            ).all()
            assert not found
            rows = []
            for rec, digest in items:
                form = server.forms.get(rec["form_id"], rec["form_version"])
                assert form is not None and not validation_errors(form, rec["data"], rec["status"])
                rows.append(record_row(rec, device_id, batch_id, digest))
            insert_records(conn, server.sealer, rows, now_iso())
            n += len(rows)
    took = time.perf_counter() - t0
    server.store.close()
    return took, n


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=1000, help="records per batch")
    parser.add_argument("--form", choices=("member", "union"), default="member",
                        help="member records of one union (the bulk form; default) or unions")  # fmt: skip
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, a few seconds")
    args = parser.parse_args(argv)
    if args.smoke:
        args.records, args.batch = 300, 100

    from desktop import link
    from desktop.store import Workspace
    from sync.client import BatchLimits
    from sync.server.config import init_data_dir, load_data_dir
    from sync.server.domain.service import Server

    root = Path(tempfile.mkdtemp(prefix="bench-sync-"))
    data = root / "county"
    init_data_dir(data, level="county", name="西湖区总工会", org_unit_code="330106",
                  crypto_suite="intl")  # fmt: skip
    setup = Server(load_data_dir(data))  # only to add the township and make an enroll code
    setup.store.add_org_unit(TOWN, "西溪街道总工会", "330106", "township")
    code = setup.make_enroll_code(TOWN)
    setup.store.close()

    proc, url = _start_county(data)
    try:
        ws, _ = Workspace.create(
            root / "ws",
            org_unit_code=TOWN,
            org_unit_name="西溪街道总工会",
            admin_user="admin",
            admin_password=PASSWORD,
        )
        link.enroll(ws, url, code)
        t0 = time.perf_counter()
        if args.form == "member":
            # the union first: one more record in the first batch (counted in the totals)
            union = ws.records.save("union", _record(0)).uuid
            rows = (_member(n, union) for n in range(args.records))
            bulk = ws.records.save_many("member", rows)
            sent = args.records + 1
        else:
            bulk = ws.records.save_many("union", (_record(n) for n in range(args.records)))
            sent = args.records
        assert not bulk.failed, bulk.failed[:3]
        t_save = time.perf_counter() - t0
        print(f"saved {sent} {args.form} records in the workspace: {t_save:.1f} s (not counted)")

        envelopes: list[bytes] = []
        spent = {"store.seal": 0.0, "store.acknowledge": 0.0, "store.pending": 0.0}
        outbox = ws.outbox
        seal, acknowledge, pending = outbox.seal, outbox.acknowledge, outbox.pending

        def timed(name: str, fn: Any) -> Any:
            def call(*a: Any, **k: Any) -> Any:
                t = time.perf_counter()
                try:
                    return fn(*a, **k)
                finally:
                    spent[name] += time.perf_counter() - t

            return call

        def keep(batch_id: str, device_seq: int, envelope: bytes, item_seqs: Any) -> Any:
            envelopes.append(envelope)
            return seal(batch_id, device_seq, envelope, item_seqs)

        # observe (not replace) what the store does, to show where the time goes
        outbox.seal = timed("store.seal", keep)
        outbox.acknowledge = timed("store.acknowledge", acknowledge)
        outbox.pending = timed("store.pending", pending)
        t0 = time.perf_counter()
        summary = link.sync_now(ws, limits=BatchLimits(max_records=args.batch))
        t_sync = time.perf_counter() - t0
        assert summary.received == sent, summary.text()
        total_bytes = sum(len(e) for e in envelopes)

        sink = ThreadingHTTPServer(("127.0.0.1", 0), _Sink)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(str(data / "tls" / "server.pem"), str(data / "tls" / "server.key"))
        sink.socket = ctx.wrap_socket(sink.socket, server_side=True)
        threading.Thread(target=sink.serve_forever, daemon=True).start()
        session = requests.Session()
        session.verify = str(data / "tls" / "ca.pem")
        session.trust_env = False
        sink_url = f"https://127.0.0.1:{sink.server_address[1]}/"
        t0 = time.perf_counter()
        for body in envelopes:
            r = session.post(sink_url, data=body, headers={"Content-Type": "application/json"})
            assert r.status_code == 200
        t_bare = time.perf_counter() - t0
        sink.shutdown()
        ws.close()
    finally:
        proc.kill()
        proc.wait()
    floor_copy = root / "county-floor"
    shutil.copytree(data, floor_copy)
    from sync.server.keyring import default_key_file

    t_floor, floor_n = floor_seconds(floor_copy, default_key_file(data))
    assert floor_n == sent, (floor_n, sent)

    rate = sent / t_sync
    bare = sent / t_bare
    floor = sent / t_floor
    print(f"form: {args.form}, {sent} records")
    print(f"batches: {len(envelopes)} x <= {args.batch} records, {total_bytes / 1e6:.1f} MB sent")
    print(
        f"sync:      {t_sync:8.2f} s  {rate:10.0f} records/s  ({total_bytes / t_sync / 1e6:.1f} MB/s)"
    )
    print(
        f"bare POST: {t_bare:8.2f} s  {bare:10.0f} records/s  ({total_bytes / t_bare / 1e6:.1f} MB/s)"
    )
    print(f"floor:     {t_floor:8.2f} s  {floor:10.0f} records/s  (county validate + store only)")
    print(f"bare POST per request: {t_bare / len(envelopes) * 1000:.2f} ms")
    for name, seconds in spent.items():
        print(f"  of which {name:<18} {seconds:8.2f} s (client side, encrypted workspace)")
    print(
        f"ratio sync / bare POST throughput: {rate / bare:.3f} (bare is {t_sync / t_bare:.1f}x faster)"
    )
    print(f"ratio sync / floor time: {t_sync / t_floor:.2f}x (target: within 2x)")
    shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
