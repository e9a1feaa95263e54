"""The county relays accepted records to its province with the ordinary sync protocol.

The county is enrolled at the province as a device of role ``county`` whose device key is the
county server's own Ed25519 signing key (the key that signs its acceptances), so the province can
check every acceptance against the county it came from. ``uniondesk-server relay-enroll`` does
the enrollment and writes ``DATA/relay.json`` (province URL, keys, pinned CA; no secret).

The relay queue (``tables.relay_items``) is an :class:`sync.outbox.Outbox` for the ordinary sync
engine (:class:`sync.client.SyncClient`): a queue row names an accepted record version, and its
item is built when it is relayed, from the stored version (sealed at rest) and the review's
signed acceptance. Sealed batches are stored before they are sent and re-sent byte-identical after a failure or a crash, so the province ends with every accepted
record exactly once. The county's org-unit tree goes with enrollment and with each run that
finds it changed (``sync.server.org_tree``).
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import requests
from sqlalchemy import and_, bindparam, func, select, update
from sqlalchemy.engine import Connection

from sync import crypto
from sync import protocol as proto
from sync.client import BatchLimits, RetryPolicy, ServerKeys, SyncClient, SyncError, SyncSummary
from sync.enroll import EnrollError, error_of, fetch_ca, normalise_url
from sync.outbox import OutboxItem, RecordReceipt, SealedBatch
from sync.server.config import ServerSetupError
from sync.server.domain.review import envelope_header, relay_item
from sync.server.domain.service import Server
from sync.server.store import now_iso
from sync.server.tables import meta, records, relay_batches, relay_items, reviews

RELAY_SEQ_FLOOR = "relay_next_device_seq"  # raised by RelayOutbox.unseal above the province's mark

LINK_FILE = "relay.json"


@dataclass(frozen=True)
class RelayLink:
    """What the county knows about its province (public values only)."""

    province_url: str
    device_id: str
    province_name: str
    province_signing_key: str  # b64 raw Ed25519
    province_hpke_key: str  # b64 raw X25519
    ca_pem: str
    max_batch_records: int
    max_batch_bytes: int
    enrolled_at: str
    # keys the province signed with before it moved to another suite (space-separated b64):
    # what it signed for this county before still verifies
    province_previous_signing_keys: str = ""

    def ca_file(self, data_path: Path) -> Path:
        path = data_path / "tls" / "province-ca.pem"
        if not path.exists() or path.read_text(encoding="ascii") != self.ca_pem:
            path.write_text(self.ca_pem, encoding="ascii")
        return path


def load_link(server: Server) -> RelayLink | None:
    path = server.data.path / LINK_FILE
    if not path.exists():
        return None
    return RelayLink(**json.loads(path.read_text(encoding="utf-8")))


def _save_link(server: Server, link: RelayLink) -> None:
    path = server.data.path / LINK_FILE
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(asdict(link), ensure_ascii=False, indent=2), encoding="utf-8")
    os.replace(tmp, path)


def enroll_at_province(server: Server, province_url: str, code: str) -> RelayLink:
    """Enroll this county at its province with a code made there (``--role county``)."""
    if server.config.level != "county":
        raise ServerSetupError("only a county server relays to a province")
    if load_link(server) is not None:
        raise ServerSetupError("this county is already enrolled at a province (relay.json)")
    try:
        url = normalise_url(province_url)
        _, check = proto.split_enroll_code(code)
        ca_pem = fetch_ca(url)
    except (EnrollError, proto.ProtocolError) as exc:
        raise ServerSetupError(f"cannot enroll at the province: {exc}") from exc
    if proto.ca_check(ca_pem) != check:
        raise ServerSetupError("this is not the server the enrollment code was made for")
    request = proto.EnrollRequest(
        code=code, device_public_key=server.signing_public, label=f"county {server.config.name}"
    )
    fd, ca_path = tempfile.mkstemp(prefix="uniondesk-ca-", suffix=".pem")
    try:
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(ca_pem)
        r = requests.post(
            url + "/v1/enroll",
            data=request.to_json(),
            headers={"Content-Type": "application/json"},
            verify=ca_path,
            timeout=20,
        )
    except requests.RequestException as exc:
        raise ServerSetupError(f"the province cannot be reached ({type(exc).__name__})") from exc
    finally:
        with contextlib.suppress(OSError):
            os.unlink(ca_path)
    if r.status_code != 200:
        err, message = error_of(r)
        raise ServerSetupError(f"the province refused the enrollment: {err} {message}")
    resp = proto.EnrollResponse.from_json(r.content)
    if resp.server.level != "province":
        raise ServerSetupError(f"{url} is a {resp.server.level} server, not a province")
    link = RelayLink(
        province_url=url,
        device_id=resp.device_id,
        province_name=resp.server.name,
        province_signing_key=proto.b64e(resp.server.signing_key),
        province_hpke_key=proto.b64e(resp.server.hpke_public_key),
        ca_pem=resp.ca_cert_pem,
        max_batch_records=resp.max_batch_records,
        max_batch_bytes=resp.max_batch_bytes,
        enrolled_at=now_iso(),
    )
    _save_link(server, link)
    server.log.info("enrolled at province %s device=%s", url, link.device_id)
    return link


class RelayOutbox:
    """The relay queue as an :class:`sync.outbox.Outbox` (one transaction per method)."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.store = server.store

    def _queued(self, conn: Connection, where: Any, limit: int | None = None) -> list[Any]:
        """Queue rows with what their item is built from: the stored record version (sealed at
        rest), its township batch and the review's signed acceptance, in queue order."""
        query = (
            select(
                relay_items.c.seq,
                relay_items.c.record_uuid,
                relay_items.c.version,
                relay_items.c.item,
                records.c.content,
                records.c.batch_id.label("township_batch_id"),
                reviews.c.acceptance,
            )
            .select_from(
                relay_items.outerjoin(
                    records,
                    and_(
                        records.c.record_uuid == relay_items.c.record_uuid,
                        records.c.version == relay_items.c.version,
                    ),
                ).outerjoin(
                    reviews,
                    and_(
                        reviews.c.record_uuid == relay_items.c.record_uuid,
                        reviews.c.version == relay_items.c.version,
                    ),
                )
            )
            .where(where)
            .order_by(relay_items.c.seq)
        )
        return list(conn.execute(query if limit is None else query.limit(limit)))

    def _item(self, row: Any) -> dict[str, Any]:
        """The relay item of a queue row (``review.relay_item``): opened when the row holds one
        (queued before revision 0013, or given explicitly: tests, repairs), else built from the
        stored version and its acceptance; the same item either way, since a stored version
        and its acceptance never change."""
        if row.item is not None:
            item: dict[str, Any] = self.server.sealer.open_json(
                "relay_item", f"{row.record_uuid}|{row.version}", row.item
            )
            return item
        if row.content is None or row.acceptance is None:
            raise ServerSetupError(
                f"relay item {row.seq} names record {row.record_uuid} version {row.version}, "
                "which has no stored version or acceptance"
            )
        record = self.server.sealer.open_content(row.content)
        return relay_item(record, row.township_batch_id, json.loads(row.acceptance))

    def queued_item(self, record_uuid: str, version: int) -> dict[str, Any] | None:
        """The relay item queued for one record version, as the relay builds it (with its
        ``township_batch_id``; not yet the township's envelope header), or None."""
        with self.store.read() as conn:
            rows = self._queued(conn, and_(relay_items.c.record_uuid == record_uuid,
                                           relay_items.c.version == version))  # fmt: skip
        return self._item(rows[0]) if rows else None

    def pending(self, limit: int) -> list[OutboxItem]:
        """Pending items as relayed records. The township envelope header goes in full with the
        first item that needs it and as ``{"ref": sha256}`` after that, so any prefix of the list
        (the engine halves a batch that is too big) is self-contained."""
        with self.store.read() as conn:
            rows = self._queued(conn, relay_items.c.state == "pending", limit)
        headers: dict[str, tuple[dict[str, Any], str]] = {}  # batch id -> (header, sha256)
        sent: set[str] = set()
        out = []
        for r in rows:
            item = self._item(r)
            header = item.pop("township_envelope", None)  # given explicitly (tests, repairs)
            batch_id = item.pop("township_batch_id", None)
            if header is None:
                if batch_id not in headers:
                    batch = self.store.batch(batch_id)
                    h = envelope_header(bytes(batch.envelope)) if batch else {}
                    headers[batch_id] = (h, proto.sha256_hex(proto.canonical_json(h)))
                header, digest = headers[batch_id]
            else:
                digest = proto.sha256_hex(proto.canonical_json(header))
            item["township_envelope"] = {"ref": digest} if digest in sent else header
            sent.add(digest)
            rec = item["record"]
            out.append(
                OutboxItem(
                    seq=r.seq,
                    record_uuid=r.record_uuid,
                    form_id=rec.get("form_id", ""),
                    form_version=int(rec.get("form_version", 0)),
                    version=r.version,
                    record=item,
                )
            )
        return out

    def pending_count(self) -> int:
        return self._count("pending")

    def _count(self, state: str) -> int:
        with self.store.read() as conn:
            return int(
                conn.execute(
                    select(func.count())
                    .select_from(relay_items)
                    .where(relay_items.c.state == state)
                ).scalar_one()
            )

    def audit_head(self) -> str:
        return "0" * 64  # a county has no audit chain of its own; provenance is per record

    def next_device_seq(self) -> int:
        with self.store.read() as conn:
            return self._next_device_seq(conn)

    @staticmethod
    def _next_device_seq(conn: Connection) -> int:
        top: int | None = conn.execute(select(func.max(relay_batches.c.device_seq))).scalar_one()
        floor = conn.execute(select(meta.c.value).where(meta.c.key == RELAY_SEQ_FLOOR)).scalar()
        return max(int(top or 0) + 1, int(floor or 0))

    def unseal(self, batch_id: str, next_device_seq: int) -> int:
        """The province proved (a signed ``stale_sequence`` refusal, checked by the engine) that
        it never stored this batch and has used its sequence number: this county was restored
        from an older backup. Forget the batch, put its items back to pending (queue order
        kept) and make the next batch carry at least ``next_device_seq``; one transaction.
        Returns how many items went back (PROTOCOL.md "Restored backups")."""
        with self.store.write() as conn:
            row = conn.execute(
                select(relay_batches.c.device_seq, relay_batches.c.acked_at).where(
                    relay_batches.c.batch_id == batch_id
                )
            ).first()
            if row is None:
                raise ServerSetupError(f"no sealed relay batch {batch_id}")
            if row.acked_at is not None:
                raise ServerSetupError(f"relay batch {batch_id} was delivered already")
            items = conn.execute(
                update(relay_items)
                .where(relay_items.c.batch_id == batch_id, relay_items.c.state == "sealed")
                .values(state="pending", batch_id=None)
            ).rowcount
            conn.execute(relay_batches.delete().where(relay_batches.c.batch_id == batch_id))
            floor = max(self._next_device_seq(conn), int(next_device_seq))
            conn.execute(meta.delete().where(meta.c.key == RELAY_SEQ_FLOOR))
            conn.execute(meta.insert().values(key=RELAY_SEQ_FLOOR, value=str(floor)))
        self.server.log.warning(
            "relay: batch %s seq=%d was never received by the province (restored backup?); "
            "%d item(s) re-queued above seq %d",
            batch_id,
            row.device_seq,
            items,
            floor - 1,
        )
        return int(items)

    def seal(
        self, batch_id: str, device_seq: int, envelope: bytes, item_seqs: Sequence[int]
    ) -> SealedBatch:
        with self.store.write() as conn:
            conn.execute(
                relay_batches.insert().values(
                    batch_id=batch_id,
                    device_seq=device_seq,
                    envelope=envelope.decode("utf-8"),
                    item_seqs=json.dumps(list(item_seqs)),
                    sealed_at=now_iso(),
                )
            )
            conn.execute(
                update(relay_items)
                .where(relay_items.c.seq.in_(list(item_seqs)))
                .values(state="sealed", batch_id=batch_id)
            )
        return SealedBatch(batch_id, device_seq, envelope, tuple(item_seqs))

    def unacknowledged(self) -> list[SealedBatch]:
        with self.store.read() as conn:
            rows = conn.execute(
                select(relay_batches)
                .where(relay_batches.c.acked_at.is_(None))
                .order_by(relay_batches.c.device_seq)
            )
            return [
                SealedBatch(
                    r.batch_id,
                    r.device_seq,
                    r.envelope.encode("utf-8"),
                    tuple(json.loads(r.item_seqs)),
                )
                for r in rows
            ]

    def acknowledge(self, batch_id: str, receipt: bytes, records: Sequence[RecordReceipt]) -> None:
        verdicts = {(r.record_uuid, r.version): r for r in records}
        with self.store.write() as conn:
            row = conn.execute(
                select(relay_batches).where(relay_batches.c.batch_id == batch_id)
            ).first()
            if row is None or row.acked_at is not None:
                return
            conn.execute(
                update(relay_batches)
                .where(relay_batches.c.batch_id == batch_id)
                .values(
                    receipt=self.server.sealer.seal_doc("relay_receipt", batch_id, receipt),
                    acked_at=now_iso(),
                )
            )
            # in sets: one statement for the delivered items, one for those the receipt does
            # not name (back to pending), one executemany for the rejected (errors per item)
            delivered: list[int] = []
            unnamed: list[int] = []
            rejected: list[dict[str, Any]] = []
            for item in conn.execute(
                select(relay_items.c.seq, relay_items.c.record_uuid, relay_items.c.version).where(
                    relay_items.c.batch_id == batch_id
                )
            ).all():
                verdict = verdicts.get((item.record_uuid, item.version))
                if verdict is None:
                    unnamed.append(item.seq)
                elif verdict.status == "rejected":
                    errors = json.dumps(list(verdict.errors)).encode("utf-8")
                    ident = f"{item.record_uuid}|{item.version}"
                    sealed = self.server.sealer.seal_doc("relay_errors", ident, errors)
                    rejected.append({"s": item.seq, "e": sealed})
                else:
                    delivered.append(item.seq)
            for seqs, values in ((delivered, {"state": "delivered"}),
                                 (unnamed, {"state": "pending", "batch_id": None})):  # fmt: skip
                for start in range(0, len(seqs), 400):
                    conn.execute(
                        update(relay_items)
                        .where(relay_items.c.seq.in_(seqs[start : start + 400]))
                        .values(**values)
                    )
            if rejected:
                conn.execute(
                    update(relay_items)
                    .where(relay_items.c.seq == bindparam("s"))
                    .values(state="rejected", errors=bindparam("e")),
                    rejected,
                )

    def errors_of(self, record_uuid: str, version: int) -> list[dict[str, Any]]:
        """The province's errors for a rejected relay item (opened; may name personal values)."""
        with self.store.read() as conn:
            sealed = conn.execute(
                select(relay_items.c.errors).where(
                    relay_items.c.record_uuid == record_uuid, relay_items.c.version == version
                )
            ).scalar_one_or_none()
        if not sealed:
            return []
        ident = f"{record_uuid}|{version}"
        return list(self.server.sealer.open_json("relay_errors", ident, sealed))

    def backlog(self) -> dict[str, int]:
        """Items per state (pending, sealed, delivered, rejected) and unacknowledged batches."""
        out = {s: self._count(s) for s in ("pending", "sealed", "delivered", "rejected")}
        out["batches_unacknowledged"] = len(self.unacknowledged())
        return out


def make_relay_client(
    server: Server,
    *,
    retry: RetryPolicy | None = None,
    progress: Callable[[int, int], None] | None = None,
    cancel: Callable[[], bool] | None = None,
    base_url: str | None = None,
    limits: BatchLimits | None = None,
    signed_with: crypto.SigningKey | None = None,
) -> SyncClient:
    link = load_link(server)
    if link is None:
        raise ServerSetupError(
            "this county is not enrolled at a province; run "
            "'uniondesk-server relay-enroll --data DIR --province URL --code CODE'"
        )
    session = requests.Session()
    session.verify = str(link.ca_file(server.data.path))
    session.trust_env = False
    return SyncClient(
        RelayOutbox(server),
        session,
        base_url=base_url or link.province_url,
        device_id=link.device_id,
        device_key=crypto.private_bytes(signed_with or server.data.signing_key),
        server_keys=ServerKeys(
            signing_key=proto.b64d(link.province_signing_key),
            hpke_key=proto.b64d(link.province_hpke_key),
            previous_signing_keys=tuple(
                proto.b64d(k) for k in link.province_previous_signing_keys.split()
            ),
        ),
        limits=limits or BatchLimits(link.max_batch_records, link.max_batch_bytes),
        retry=retry,
        applier=lambda message: True,  # receipts (stored by the engine); other kinds ignored
        progress=progress,
        cancel=cancel,
        # the province moved to another suite (``server_keys``): keep its new keys; the county's
        # own key stays (a county's suite is its own choice)
        on_rekey=lambda _key, keys: _province_rekeyed(server, keys),
    )


def _province_rekeyed(server: Server, keys: ServerKeys) -> None:
    link = load_link(server)
    if link is None:
        return
    previous = " ".join(proto.b64e(k) for k in keys.previous_signing_keys)
    link = replace(link, province_signing_key=proto.b64e(keys.signing_key),
                   province_hpke_key=proto.b64e(keys.hpke_key),
                   province_previous_signing_keys=previous)  # fmt: skip
    _save_link(server, link)
    server.log.info("the province's keys changed (suite move): now %s",
                    crypto.key_id(keys.signing_key))  # fmt: skip


def register_key_at_province(
    server: Server, new_key: crypto.SigningKey, resuming: bool = False
) -> None:
    """Register the county's next signing key (``rotate-key --crypto-suite``) as its device key
    at the province: a request signed with the current key, proven by the new one. Raises
    SyncError (nothing changes at the province then). ``resuming`` (a move cut short and run
    again): when the province refuses the old key's signature because it took the new key
    before the cut, the same request signed with the new key confirms it (nothing changes)."""
    link = load_link(server)
    if link is None:
        return
    public = crypto.public_bytes(new_key)
    proof = new_key.sign(proto.device_key_proof_bytes(link.device_id, public))
    body = proto.canonical_json({"protocol": proto.PROTOCOL_VERSION, "type": "device_key",
                                 "public_key": proto.b64e(public), "proof": proto.b64e(proof)})  # fmt: skip
    for signer in (server.data.signing_key, new_key) if resuming else (server.data.signing_key,):
        client = make_relay_client(server, signed_with=signer)
        try:
            client.signed_post("/v1/device/key", body)
            break
        except SyncError as exc:
            if not resuming or exc.code != "bad_signature" or signer is new_key:
                raise
        finally:
            client.session.close()
    server.log.info("registered signing key %s at the province", crypto.key_id(public))


class RelayBusy(SyncError):
    """Another relay run (``uniondesk-server relay`` or the schedule of ``serve``) is going on."""


@contextlib.contextmanager
def relay_lock(server: Server) -> Iterator[None]:
    """One relay run at a time per data directory (``DATA/relay.lock``, across processes)."""
    try:
        import fcntl
    except ImportError:  # not POSIX: no cross-process lock (run one relay at a time by hand)
        yield
        return
    with open(server.data.path / "relay.lock", "a+b") as fh:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise RelayBusy(
                "relay_busy", "another relay run is in progress (the server's schedule?)"
            ) from None
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


RELAY_LAST_SUCCESS = "relay_last_success_at"
RELAY_LAST_FAILURE = "relay_last_failure"  # "<iso time> <error code>"


def note_relay_result(server: Server, error_code: str | None) -> None:
    """Remember the outcome of a relay run (``meta``): the time of the last success, or the time
    and code of the last failure."""
    key, value = (
        (RELAY_LAST_SUCCESS, now_iso()) if error_code is None else
        (RELAY_LAST_FAILURE, f"{now_iso()} {error_code}")
    )  # fmt: skip
    with server.store.write() as conn:
        conn.execute(meta.delete().where(meta.c.key == key))
        conn.execute(meta.insert().values(key=key, value=value))


def relay_once(server: Server, **kwargs: Any) -> SyncSummary:
    """Send the relay backlog to the province, then the org-unit tree if it changed since the
    province last acknowledged it; raises SyncError when it cannot finish (:class:`RelayBusy`
    when another run holds the lock)."""
    from sync.server.domain.org_tree import send_tree

    with relay_lock(server):
        client = make_relay_client(server, **kwargs)
        try:
            summary = client.sync(SyncSummary(upstream="province"))
            if not summary.cancelled:  # names for the province's dashboards, when changed
                send_tree(server, client)
        except SyncError as exc:
            note_relay_result(server, exc.code)
            raise
        finally:
            client.session.close()
        note_relay_result(server, None)
    server.log.info(
        "relay run batches=%d resent=%d records=%d received=%d duplicate=%d rejected=%d",
        summary.batches_sent,
        summary.batches_resent,
        summary.records_sent,
        summary.received,
        summary.duplicates,
        summary.rejected,
    )
    if summary.resequenced_batches:
        server.log.warning("relay: %s", summary.resequence_text())
    return summary
