"""The sync client engine: outbox -> sealed batches -> county server -> receipts; then the inbox.

It works on the :class:`sync.outbox.Outbox` protocol (the store implements it) and a
``requests.Session`` whose ``verify`` is the county CA received at enrollment. One run:

1. re-send every sealed but unacknowledged batch, byte-identical (resume after a crash, reboot or
   lost connection - nothing is ever sealed twice);
2. seal pending items into batches capped in records and bytes (canonical JSON of full records +
   audit-chain head, gzip, HPKE to the county key, Ed25519-signed envelope - see
   ``sync/protocol.py``), store each sealed batch in the outbox *before* sending it, upload it
   (one batch on the wire at a time, in ``device_seq`` order; the next one is sealed meanwhile);
3. a batch counts as delivered only on a receipt whose server signature verifies and that names
   this batch (id, device, hash of the exact envelope); then ``Outbox.acknowledge`` stores it;
4. pull the downward inbox (declaring the kinds the applier handles, ``inbox_kinds``), verify
   every message's signature and hand it to the ``applier``;
   messages the applier accepted are acknowledged to the server (a ``receipt`` message also
   acknowledges a batch whose upload answer was lost).

Network errors, timeouts and 5xx answers are retried with exponential backoff and full jitter
(:mod:`sync.retry`); ``cancel()`` is polled between steps and while waiting. Progress is reported
as ``progress(done, total)`` in records. Errors never carry record contents.
"""

from __future__ import annotations

import logging
import uuid
from collections import deque
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import requests

from sync import crypto
from sync import protocol as proto
from sync.enroll import error_of
from sync.outbox import Outbox, RecordReceipt, SealedBatch
from sync.retry import CancelFn, RetryPolicy, SyncCancelled, wait

log = logging.getLogger(__name__)

ProgressFn = Callable[[int, int], None]
ApplierFn = Callable[[proto.InboxMessage], bool]
ReceiptFn = Callable[[SealedBatch, proto.Receipt], None]
# (new device private key, new server keys) after a ``server_keys`` message re-keyed the device
RekeyFn = Callable[[bytes, "ServerKeys"], None]
DEVICE_KEY_PATH = "/v1/device/key"

BATCH_PATH = "/v1/batches"
INBOX_PATH = "/v1/inbox"
INBOX_ACK_PATH = "/v1/inbox/ack"
NONCE_PATH = "/v1/nonce"
INFO_PATH = "/v1/info"
INBOX_PAGE = 100
MAX_MARK_MOVES = 3  # stale_sequence marks above what this run knew, before giving up

__all__ = [
    "BatchLimits",
    "RetryPolicy",
    "ServerKeys",
    "SyncCancelled",
    "SyncClient",
    "SyncError",
    "SyncSummary",
    "probe_url",
]


class SyncError(Exception):
    """Sync could not finish (server unreachable after retries, refused, bad signature).

    ``code`` is the wire error code (``device_revoked``, ``stale_sequence``, …) or a client one
    (``unreachable``, ``bad_receipt``, ``bad_message``); the message never has personal data.
    """

    def __init__(
        self,
        code: str,
        message: str,
        *,
        status: int | None = None,
        body: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.status = status
        self.body = dict(body or {})  # the refusal document (e.g. a signed ``refusal``)


@dataclass(frozen=True)
class BatchLimits:
    """Caps for one sealed batch (the server's limits come with enrollment)."""

    max_records: int = 1000
    max_bytes: int = 8 * 1024 * 1024  # of the envelope as uploaded


@dataclass(frozen=True)
class ServerKeys:
    """The county server's public keys as received at enrollment (raw bytes)."""

    signing_key: bytes  # Ed25519 / SM2: receipts and inbox messages are signed with it
    hpke_key: bytes  # X25519 / SM2: batch payloads are sealed to it
    # keys the server signed with before it moved to another crypto suite: messages it queued
    # for this device before the device was re-keyed still verify
    previous_signing_keys: tuple[bytes, ...] = ()

    def all_signing_keys(self) -> tuple[bytes, ...]:
        return (self.signing_key, *self.previous_signing_keys)


@dataclass
class SyncSummary:
    """What one run did (counts only: safe to print and log)."""

    batches_sent: int = 0
    batches_resent: int = 0
    records_sent: int = 0
    received: int = 0
    duplicates: int = 0
    rejected: int = 0
    retries: int = 0
    inbox_applied: int = 0
    pending_left: int = 0
    cancelled: bool = False
    receipts: list[dict[str, Any]] = field(default_factory=list)
    # batches the server never stored whose sequence it had already used (restored backup):
    # their records were re-sealed above the server's mark
    resequenced_batches: int = 0
    resequenced_records: int = 0
    server_last_seq: int = 0
    upstream: str = "county"  # who this device syncs to (the county relay: "province")

    def text(self) -> str:
        return (
            f"batches sent: {self.batches_sent} (re-sent {self.batches_resent}), "
            f"records: {self.records_sent}, received: {self.received}, "
            f"duplicates: {self.duplicates}, rejected: {self.rejected}, "
            f"inbox messages applied: {self.inbox_applied}, still pending: {self.pending_left}"
            + (" (cancelled)" if self.cancelled else "")
            + (f"\n{self.resequence_text()}" if self.resequenced_batches else "")
        )

    def resequence_text(self) -> str:
        """Plain words for a recovery after a restored backup (empty if none happened)."""
        if not self.resequenced_batches:
            return ""
        if self.upstream == "province":
            where = (
                f"the province had already received relay batches up to number "
                f"{self.server_last_seq} from this county (was the county's database restored "
                f"from an older backup?); "
            )
        else:
            where = (
                f"the county had already received batches up to number {self.server_last_seq} "
                f"from this device (was the workspace restored from an older backup?); "
            )
        return (
            f"{where}{self.resequenced_records} record(s) of {self.resequenced_batches} "
            f"batch(es) it never received were sealed again under new numbers and sent"
        )


class SyncClient:
    """One device's sync engine for one county server."""

    def __init__(
        self,
        outbox: Outbox,
        session: requests.Session,
        *,
        base_url: str,
        device_id: str,
        device_key: bytes,
        server_keys: ServerKeys,
        limits: BatchLimits | None = None,
        retry: RetryPolicy | None = None,
        applier: ApplierFn | None = None,
        progress: ProgressFn | None = None,
        cancel: CancelFn | None = None,
        on_receipt: ReceiptFn | None = None,
        on_rekey: RekeyFn | None = None,
        inbox_kinds: tuple[str, ...] = (),
    ) -> None:
        self.outbox = outbox
        self.session = session
        self.base_url = base_url.rstrip("/")
        self.device_id = device_id
        self.device_key = crypto.signing_key_from_bytes(device_key)
        self.server_keys = server_keys
        self.limits = limits or BatchLimits()
        self.retry = retry or RetryPolicy()
        self.applier = applier
        self._progress = progress
        self._cancel = cancel
        self.on_receipt = on_receipt
        self.on_rekey = on_rekey
        # the inbox kinds the applier handles, declared on every inbox read: the server sends
        # a newer kind (``review_decisions``) only to a device that declared it
        self.inbox_kinds = tuple(inbox_kinds)
        self._nonce: str | None = None
        self._mark_moves = 0

    # -- public ---------------------------------------------------------------------------
    def sync(self, summary: SyncSummary | None = None) -> SyncSummary:
        """Upload everything pending, then pull and apply the inbox. Raises SyncError."""
        summary = summary or SyncSummary()
        try:
            self.upload(summary)
            self.pull_inbox(summary)
        except SyncCancelled:
            summary.cancelled = True
        summary.pending_left = self.outbox.pending_count() + sum(
            len(b.item_seqs) for b in self.outbox.unacknowledged()
        )
        return summary

    def upload(self, summary: SyncSummary | None = None) -> SyncSummary:
        """Re-send unacknowledged batches (same bytes), then seal and send pending items.

        Batches go up one at a time in ``device_seq`` order, each waiting for its receipt; the
        next batch is sealed (and stored) while the previous one is on the wire.
        """
        summary = summary or SyncSummary()
        self._mark_moves = 0
        backlog = deque(self.outbox.unacknowledged())
        resend = {b.batch_id for b in backlog}
        total = sum(len(b.item_seqs) for b in backlog) + self.outbox.pending_count()
        done = 0
        self._report(done, total)
        exhausted = False
        inflight: tuple[SealedBatch, Future[bytes]] | None = None
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="sync-upload") as pool:
            try:
                while True:
                    if inflight is None:
                        self._check_cancel()
                    nxt: SealedBatch | None = None
                    if backlog:
                        nxt = backlog.popleft()
                    elif not exhausted and not self._cancelled():
                        nxt = self._seal_next()
                        exhausted = nxt is None
                    if inflight is not None:
                        batch, future = inflight
                        inflight = None
                        try:
                            body = future.result()
                        except SyncError as err:
                            if not self._resequence(err, batch, summary):
                                raise
                            if nxt is not None and nxt.batch_id in resend:
                                backlog.appendleft(nxt)  # maybe stored: send it as it is
                            elif nxt is not None:  # sealed just now, never sent: keep order
                                self._unseal(nxt, summary, count=False)
                            exhausted = False
                            continue
                        self._settle(batch, body, summary)
                        if batch.batch_id in resend:
                            summary.batches_resent += 1
                        else:
                            summary.batches_sent += 1
                        done += len(batch.item_seqs)
                        self._report(done, max(total, done))
                        self._check_cancel()  # a sealed next batch waits for the next sync
                    if nxt is None:
                        break
                    inflight = (
                        nxt,
                        pool.submit(
                            self._request, "POST", BATCH_PATH, body=nxt.envelope, summary=summary
                        ),
                    )
            finally:
                if inflight is not None:  # an error or cancel: let the upload end by itself
                    inflight[1].cancel()
        return summary

    def pull_inbox(self, summary: SyncSummary | None = None) -> SyncSummary:
        """Fetch the downward messages, verify each, apply, acknowledge the applied ones."""
        summary = summary or SyncSummary()
        after = 0
        while True:
            self._check_cancel()
            target = f"{INBOX_PATH}?after={after}&limit={INBOX_PAGE}"
            if self.inbox_kinds:
                target += f"&kinds={proto.inbox_kinds_param(self.inbox_kinds)}"
            body = self._request("GET", target, signed=True)
            try:
                doc = proto.parse_json_object(body)
                raws = doc.get("messages")
                if not isinstance(raws, list):
                    raise proto.ProtocolError("invalid_document", "inbox page without messages")
            except proto.ProtocolError as exc:
                raise SyncError("bad_message", f"the inbox answer is malformed: {exc}") from exc
            if not raws:
                return summary
            up_to = after
            for raw in raws:
                message = self._verify_message(raw)
                if message.kind == "receipt":
                    self._receipt_from_inbox(message)
                elif message.kind == "server_keys":
                    self._rekey(message)
                if self.applier is not None and not self.applier(message):
                    break  # not applied: stop here, acknowledge only what came before
                up_to = max(up_to, message.msg_seq)
                summary.inbox_applied += 1
            if up_to > after:
                ack = proto.canonical_json(
                    {"protocol": proto.PROTOCOL_VERSION, "type": "inbox_ack", "up_to": up_to}
                )
                self._request("POST", INBOX_ACK_PATH, body=ack, signed=True)
            if up_to == after or not doc.get("more"):
                return summary
            after = up_to

    def probe(self, timeout: float = 3.0) -> bool:
        """A cheap reachability check over the pinned TLS; never raises."""
        return probe_url(self.session, self.base_url, timeout)

    # -- sealing --------------------------------------------------------------------------
    def _seal_next(self) -> SealedBatch | None:
        """Seal the oldest pending items into one batch within the caps; store it; or None."""
        items = self.outbox.pending(self.limits.max_records)
        if not items:
            return None
        device_seq = self.outbox.next_device_seq()
        audit_head = self.outbox.audit_head()
        while True:
            batch_id = str(uuid.uuid4())
            envelope = crypto.seal_batch(
                device_key=self.device_key,
                device_id=self.device_id,
                batch_id=batch_id,
                device_seq=device_seq,
                records=[dict(i.record) for i in items],
                audit_head=audit_head,
                recipient_public=self.server_keys.hpke_key,
            ).to_json()
            if len(envelope) <= self.limits.max_bytes:
                break
            if len(items) == 1:
                raise SyncError(
                    "record_too_large",
                    f"one record is larger than the server accepts ({self.limits.max_bytes} bytes)",
                )
            items = items[: len(items) // 2]
        # stored before the first byte goes out: from here on a crash re-sends these bytes
        return self.outbox.seal(batch_id, device_seq, envelope, [i.seq for i in items])

    def _cancelled(self) -> bool:
        return self._cancel is not None and self._cancel()

    # -- recovery after a restored backup -------------------------------------------------
    def _resequence(self, err: SyncError, batch: SealedBatch, summary: SyncSummary) -> bool:
        """On a signed ``stale_sequence`` refusal naming ``batch``: put its items back to
        pending above the server's mark (they are re-sealed with a new batch id). False when
        the refusal cannot be trusted or used (the error then stands)."""
        if err.code != "stale_sequence" or not hasattr(self.outbox, "unseal"):
            return False
        try:
            raw = err.body.get("refusal")
            if not isinstance(raw, Mapping):
                return False
            doc = self._verify_signed(proto.canonical_json(dict(raw)))
            mark = proto.StaleSequence.from_dict(doc)
        except (crypto.CryptoError, proto.ProtocolError) as exc:
            log.warning("sync: stale_sequence refusal did not verify (%s)", exc)
            return False
        if (
            mark.batch_id != batch.batch_id
            or mark.device_id != self.device_id
            or mark.envelope_sha256 != proto.envelope_digest(batch.envelope)
            or not batch.device_seq <= mark.last_device_seq < proto.MAX_INT
        ):
            return False
        if batch.device_seq > summary.server_last_seq:  # not below a mark seen this run
            self._mark_moves += 1
            if self._mark_moves > MAX_MARK_MOVES:
                return False  # another copy of this device keeps syncing: a person decides
        summary.server_last_seq = max(summary.server_last_seq, mark.last_device_seq)
        self._unseal(batch, summary, count=True)
        return True

    def _unseal(self, batch: SealedBatch, summary: SyncSummary, *, count: bool) -> None:
        floor = summary.server_last_seq + 1
        items = self.outbox.unseal(batch.batch_id, floor)
        if count:
            summary.resequenced_batches += 1
            summary.resequenced_records += items
        log.warning(
            "sync: batch seq=%d was never received; %d item(s) re-queued above seq %d",
            batch.device_seq,
            items,
            floor - 1,
        )

    # -- delivery -------------------------------------------------------------------------
    def _settle(self, batch: SealedBatch, body: bytes, summary: SyncSummary) -> None:
        """Verify the receipt for ``batch`` and store it; count the per-record verdicts."""
        receipt = self._verify_receipt(body, batch)
        self._acknowledge(batch, body, receipt)
        summary.records_sent += len(batch.item_seqs)
        for r in receipt.records:
            if r.status == "received":
                summary.received += 1
            elif r.status == "duplicate":
                summary.duplicates += 1
            else:
                summary.rejected += 1
        summary.receipts.append({"batch_id": batch.batch_id, "device_seq": batch.device_seq})

    def _verify_receipt(self, body: bytes, batch: SealedBatch) -> proto.Receipt:
        try:
            doc = self._verify_signed(body)
            receipt = proto.Receipt.from_dict(doc)
        except (crypto.CryptoError, proto.ProtocolError) as exc:
            raise SyncError("bad_receipt", f"the server's receipt did not verify: {exc}") from exc
        if (
            receipt.batch_id != batch.batch_id
            or receipt.device_id != self.device_id
            or receipt.envelope_sha256 != proto.envelope_digest(batch.envelope)
        ):
            raise SyncError("bad_receipt", "the server's receipt names another batch")
        return receipt

    def _acknowledge(self, batch: SealedBatch, body: bytes, receipt: proto.Receipt) -> None:
        records = [
            RecordReceipt(r.record_uuid, r.version, r.status, tuple(r.errors))
            for r in receipt.records
        ]
        self.outbox.acknowledge(batch.batch_id, body, records)
        if self.on_receipt is not None:
            self.on_receipt(batch, receipt)

    def _receipt_from_inbox(self, message: proto.InboxMessage) -> None:
        """A receipt sent downward acknowledges a batch whose upload answer was lost."""
        raw = message.body.get("receipt")
        if not isinstance(raw, Mapping):
            return
        body = proto.canonical_json(dict(raw))
        for batch in self.outbox.unacknowledged():
            if batch.batch_id == raw.get("batch_id"):
                self._acknowledge(batch, body, self._verify_receipt(body, batch))

    def _verify_message(self, raw: Any) -> proto.InboxMessage:
        try:
            if not isinstance(raw, dict):
                raise proto.ProtocolError("invalid_document", "an inbox message is not an object")
            if not any(crypto.verify_dict(k, raw) for k in self.server_keys.all_signing_keys()):
                raise proto.ProtocolError("bad_signature", "signature does not verify")
            message = proto.InboxMessage.from_dict(raw)
        except proto.ProtocolError as exc:
            raise SyncError("bad_message", f"an inbox message failed verification: {exc}") from exc
        if message.device_id != self.device_id:
            raise SyncError("bad_message", "an inbox message was addressed to another device")
        return message

    def _verify_signed(self, body: bytes) -> dict[str, Any]:
        """``verify_signed_json`` with the server's key, or one it signed with before."""
        error: crypto.CryptoError | None = None
        for key in self.server_keys.all_signing_keys():
            try:
                return crypto.verify_signed_json(key, body)
            except crypto.CryptoError as exc:
                error = error or exc
        assert error is not None
        raise error

    def _rekey(self, message: proto.InboxMessage) -> None:
        """The server moved to another crypto suite: pin its new keys and, when this device's
        key is of another suite, make one of the server's and register it (signed with the
        old key, proven by the new one). ``on_rekey`` keeps both."""
        try:
            new = proto.ServerKeys.from_dict(message.body.get("server") or {})
            suite = str(message.body.get("device_suite", new.suite))
        except proto.ProtocolError as exc:
            raise SyncError("bad_message", f"a server_keys message is malformed: {exc}") from exc
        # a device key is only replaced where the new one can be kept (``on_rekey``): a key the
        # server knows but this device lost would lock the device out
        if crypto.suite_of_key(self.device_key) != suite and self.on_rekey is not None:
            key = crypto.new_signing_key(suite)
            public = crypto.public_bytes(key)
            proof = key.sign(proto.device_key_proof_bytes(self.device_id, public))
            body = proto.canonical_json({"protocol": proto.PROTOCOL_VERSION, "type": "device_key",
                                         "public_key": proto.b64e(public),
                                         "proof": proto.b64e(proof)})  # fmt: skip
            self.signed_post(DEVICE_KEY_PATH, body)
            self.device_key = key
            log.info("sync: device re-keyed to the %s suite (key %s)", suite, crypto.key_id(public))
        old = self.server_keys
        if new.signing_key != old.signing_key:
            previous = tuple(k for k in old.all_signing_keys() if k != new.signing_key)
            self.server_keys = ServerKeys(new.signing_key, new.hpke_public_key, previous)
        if self.on_rekey is not None:
            self.on_rekey(crypto.private_bytes(self.device_key), self.server_keys)

    def signed_post(self, target: str, body: bytes) -> bytes:
        """A signed ``POST`` (retried like the rest); the 2xx body or SyncError."""
        return self._request("POST", target, body=body, signed=True)

    # -- HTTP -----------------------------------------------------------------------------
    def _request(
        self,
        method: str,
        target: str,
        *,
        body: bytes | None = None,
        signed: bool = False,
        summary: SyncSummary | None = None,
    ) -> bytes:
        """Send with retry on network errors and 5xx; return the 2xx body or raise SyncError."""
        last = ""
        for attempt in range(1, self.retry.attempts + 1):
            self._check_cancel()
            headers = {"Content-Type": "application/json"}
            try:
                if signed:
                    headers.update(self._auth_headers(method, target, body or b""))
                r = self.session.request(
                    method,
                    self.base_url + target,
                    data=body,
                    headers=headers,
                    timeout=self.retry.timeout,
                )
            except NonceUnavailable as exc:
                last = str(exc)
            except requests.RequestException as exc:
                last = f"network error ({type(exc).__name__})"
            else:
                if signed:
                    self._nonce = r.headers.get(proto.HEADER_NEXT_NONCE)
                if 200 <= r.status_code < 300:
                    return r.content
                code, message = error_of(r)
                if r.status_code >= 500 or code == "bad_nonce":
                    last = f"server answered {r.status_code} {code}"
                else:
                    raise self._refused(r.status_code, code, message, _json_or_empty(r))
            if attempt < self.retry.attempts:
                if summary is not None:
                    summary.retries += 1
                log.info(
                    "sync: %s %s failed (%s); retry %d", method, target.split("?")[0], last, attempt
                )
                wait(self.retry.delay(attempt), self._cancel)
        raise SyncError("unreachable", f"the county server could not be reached: {last}")

    def _auth_headers(self, method: str, target: str, body: bytes) -> dict[str, str]:
        nonce, self._nonce = self._nonce, None
        if not nonce:
            nonce = fetch_nonce(self.session, self.base_url, self.retry.timeout)
        return crypto.sign_request(self.device_key, self.device_id, method, target, nonce, body)

    def _refused(
        self, status: int, code: str, message: str, body: Mapping[str, Any] | None = None
    ) -> SyncError:
        if code in ("device_revoked", "unknown_device"):
            text = "the county server no longer accepts this device"
        elif code == "stale_sequence":
            text = (
                "the county has already received later batches from this device "
                "(was the workspace restored from an older backup?)"
            )
        else:
            text = f"the county server refused the request: {status} {code}"
        log.warning("sync: refused %s %s", status, code)
        return SyncError(code, f"{text} ({message})" if message else text, status=status, body=body)

    def _check_cancel(self) -> None:
        if self._cancel is not None and self._cancel():
            raise SyncCancelled()

    def _report(self, done: int, total: int) -> None:
        if self._progress is not None:
            self._progress(done, total)


def _json_or_empty(r: requests.Response) -> dict[str, Any]:
    try:
        return proto.parse_json_object(r.content)
    except proto.ProtocolError:
        return {}


class NonceUnavailable(requests.ConnectionError):
    """The server gave no usable nonce: a transient failure, retried like a network error."""


def fetch_nonce(session: requests.Session, base_url: str, timeout: tuple[float, float]) -> str:
    """A fresh single-use nonce from ``POST /v1/nonce``; :class:`NonceUnavailable` if none."""
    r = session.post(base_url + NONCE_PATH, timeout=timeout)
    if r.status_code != 200:
        raise NonceUnavailable(f"no nonce ({r.status_code})")
    try:
        return str(proto.parse_json_object(r.content)["nonce"])
    except (proto.ProtocolError, KeyError) as exc:
        raise NonceUnavailable("malformed nonce answer") from exc


def probe_url(session: requests.Session, base_url: str, timeout: float = 3.0) -> bool:
    """Whether the server answers ``GET /v1/info`` over the pinned TLS (cheap; never raises)."""
    try:
        r = session.get(base_url.rstrip("/") + INFO_PATH, timeout=(timeout, timeout))
        return r.status_code == 200
    except requests.RequestException:
        return False
