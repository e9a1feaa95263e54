"""``uniondesk-server verify RECORD_ID``: the provenance chain of one record, checked again.

On a province: for every stored version, the township device's signature over its envelope
header (and the record's hash in the signed manifest) with the key the county vouched for, and the
county's signed acceptance (reviewer, time) with the key of the county device that relayed it.
On a county: the township signature from the stored envelope, and the review decision.
Lines name devices, org units, reviewers and times, never field values.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from sync import crypto
from sync.protocol import b64d, record_hash
from sync.server import tables
from sync.server.domain import province, review
from sync.server.domain.service import Server


@dataclass
class Report:
    lines: list[str] = field(default_factory=list)
    ok: bool = True
    versions: int = 0

    def check(self, passed: bool, text: str) -> None:
        self.ok = self.ok and passed
        self.lines.append(f"  {'OK  ' if passed else 'FAIL'} {text}")


_ALGORITHM = {"intl": "Ed25519", "gm": "SM2"}


def signer(suite: object, key: bytes | None) -> str:
    """``suite gm, SM2 key 0123456789abcdef``: how a step names its signature (the suite its
    document names, the key's algorithm and its id)."""
    if key is None:
        return f"suite {suite}, key unknown"
    algorithm = _ALGORITHM[crypto.suite_of_key(key)]
    return f"suite {suite}, {algorithm} key {crypto.key_id(key)}"


def verify_record(server: Server, record_uuid: str) -> Report:
    """Re-check every link of the record's chain; ``report.ok`` False when one fails."""
    report = Report()
    rows = server.store.record_rows(record_uuid)
    if not rows:
        report.ok = False
        report.lines.append(f"no record {record_uuid} on this {server.config.level} server")
        return report
    prov = {p.version: p for p in province.provenance_rows(server.store, record_uuid)}
    with server.store.read() as conn:
        decisions = {
            d.version: d
            for d in conn.execute(
                tables.reviews.select().where(tables.reviews.c.record_uuid == record_uuid)
            )
        }
    for row in sorted(rows, key=lambda r: r.version):
        report.versions += 1
        record = server.sealer.open_content(row.content)
        report.lines.append(
            f"record {record_uuid} version {row.version}: form {row.form_id} "
            f"v{row.form_version}, org unit {row.org_unit}, received {row.received_at}"
        )
        if server.config.level == "province":
            _province_version(server, report, record, prov.get(row.version), row)
        else:
            _county_version(server, report, record, row, decisions.get(row.version))
    return report


def _province_version(
    server: Server, report: Report, record: dict[str, Any], p: Any, row: Any
) -> None:
    if p is None:
        report.check(False, "no provenance stored for this version")
        return
    acc = json.loads(p.acceptance)
    with server.store.read() as conn:
        stored = conn.execute(
            tables.township_headers.select().where(
                tables.township_headers.c.sha256 == p.township_header
            )
        ).first()
    header = json.loads(stored.header) if stored is not None else {}
    try:
        township_key = b64d(acc.get("township_public_key"), "key")
        acc_sig = b64d(acc.get("signature"), "signature")
    except ValueError:
        report.check(False, "acceptance is malformed")
        return
    report.check(
        crypto.verify_record_provenance(header, record, township_key)
        and header.get("device_id") == p.township_device_id,
        f"township: device {p.township_device_id} (org unit {p.township_org_unit}) signed batch "
        f"{header.get('batch_id')} seq {header.get('device_seq')}; record in its manifest "
        f"({signer(header.get('suite', 'intl'), township_key)})",
    )
    county = server.store.device(p.county_device_id)
    county_key = None
    if county is not None and acc_sig:
        keys = server.store.device_public_keys(county)
        county_key = next((k for k in keys if crypto.verify_dict(k, acc)), None)
    county_ok = county_key is not None
    report.check(
        county_ok
        and acc.get("record_sha256") == record_hash(record, str(header.get("suite", "intl")))
        and acc.get("decision") == "accepted",
        f"county: {p.county_org_unit} (device {p.county_device_id}) acceptance signed; accepted "
        f"by reviewer {acc.get('reviewer')!r} at {acc.get('decided_at')} "
        f"({signer(acc.get('suite', 'intl'), county_key)})",
    )
    if county is not None and county.revoked_at is not None:
        report.lines.append(f"  note: the county device was revoked at {county.revoked_at}")
    report.lines.append(f"  province: relay batch {p.relay_batch_id}, received {p.received_at}")


def _county_version(
    server: Server, report: Report, record: dict[str, Any], row: Any, decision: Any
) -> None:
    batch = server.store.batch(row.batch_id)
    device = server.store.device(row.device_id)
    signed = False
    header: dict[str, Any] = {}
    if batch is not None and device is not None:
        header = review.envelope_header(bytes(batch.envelope))
        signed = any(
            crypto.verify_record_provenance(header, record, k)
            for k in server.store.device_public_keys(device)
        )
    report.check(
        signed,
        f"township: device {row.device_id} (org unit {device.org_unit if device else '?'}) "
        f"signed batch {row.batch_id}; record in its manifest "
        f"({signer(header.get('suite', 'intl'), bytes(device.public_key) if device else None)})",
    )
    if decision is None:
        report.lines.append("  review: pending")
        return
    text = f"review: {decision.decision} by {decision.reviewer!r} at {decision.decided_at}"
    if decision.acceptance:
        acc = json.loads(decision.acceptance)
        keys = [crypto.public_bytes(k) for k in (server.data.signing_key,
                                                  *server.data.retired_signing)]  # fmt: skip
        key = next((k for k in keys if crypto.verify_dict(k, acc)), None)
        ok = key is not None
        text += f", signed ({signer(acc.get('suite', 'intl'), key or server.signing_public)})"
        report.check(ok and acc.get("record_sha256") == row.record_sha256, text)
    else:
        report.lines.append(f"  {text}")
