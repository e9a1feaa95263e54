"""A reviewer device's client for the county review API (``/v1/review/…``; PROTOCOL.md "Review").

Signed requests with the device key (a fresh server nonce each, reused from the
``X-UnionDesk-Next-Nonce`` header when given), over HTTPS pinned to the county CA. Network
errors and 5xx are retried briefly; anything else raises :class:`sync.client.SyncError` with the
wire code (``unreachable`` when the county cannot be reached).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlencode

import requests

from sync import crypto
from sync import protocol as proto
from sync.client import SyncError, fetch_nonce
from sync.enroll import error_of
from sync.retry import RetryPolicy, wait


class ReviewClient:
    """List the review queue, open a record, send decisions; one reviewer device."""

    def __init__(
        self,
        session: requests.Session,
        *,
        base_url: str,
        device_id: str,
        device_key: bytes,
        retry: RetryPolicy | None = None,
    ) -> None:
        self.session = session
        self.base_url = base_url.rstrip("/")
        self.device_id = device_id
        self.key = crypto.signing_key_from_bytes(device_key)
        self.retry = retry or RetryPolicy(attempts=3, base_delay=0.3, max_delay=2.0)
        self._nonce: str | None = None

    def queue(
        self,
        *,
        status: str | None = None,
        org_unit: str | None = None,
        form_id: str | None = None,
        limit: int = 200,
        offset: int = 0,
    ) -> dict[str, Any]:
        """``{"records": [...], "total": n, "counts": {pending, accepted, returned}}``."""
        query = {"status": status, "org_unit": org_unit, "form_id": form_id}
        params = {k: v for k, v in query.items() if v}
        params.update(limit=str(limit), offset=str(offset))
        return self._call("GET", "/v1/review/records?" + urlencode(params))

    def record(self, record_uuid: str, unmask: bool = False) -> dict[str, Any]:
        """One record with every version, its decisions and the township's audit-chain head.
        Sensitive values come masked unless ``unmask`` (the device needs the server's
        ``unmask`` permission, else :class:`SyncError` ``review.unmask_forbidden``; logged)."""
        query = "?unmask=true" if unmask else ""
        return self._call("GET", f"/v1/review/records/{record_uuid}{query}")

    def decide(self, reviewer: str, decisions: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
        """Send decisions (``record_uuid``, ``version``, ``decision``, ``comment``); per-record
        results (``result`` is ``ok``, ``already_decided``, ``stale_version``, …)."""
        body = proto.canonical_json(
            {
                "protocol": proto.PROTOCOL_VERSION,
                "type": "review_decisions",
                "reviewer": reviewer,
                "decisions": [dict(d) for d in decisions],
            }
        )
        return list(self._call("POST", "/v1/review/decisions", body)["results"])

    def aggregates(self, by: str = "county") -> list[dict[str, Any]]:
        return list(self._call("GET", f"/v1/aggregates?by={by}")["rows"])

    def stats(
        self, as_of: str, period: int | None = None, unit: str | None = None
    ) -> dict[str, Any]:
        """The county's statistics tables as of ``as_of`` (``GET /v1/stats``): the document of
        :func:`forms.stats.report_to_doc`; :func:`fetch_stats` gives the Report to print."""
        params = {"as_of": as_of, "period": str(period) if period else None, "unit": unit}
        return self._call("GET", "/v1/stats?" + urlencode({k: v for k, v in params.items() if v}))

    # ------------------------------------------------------------------ HTTP
    def _call(self, method: str, target: str, body: bytes = b"") -> dict[str, Any]:
        last = ""
        for attempt in range(1, self.retry.attempts + 1):
            try:
                headers = {"Content-Type": "application/json"}
                headers.update(self._sign(method, target, body))
                r = self.session.request(
                    method,
                    self.base_url + target,
                    data=body or None,
                    headers=headers,
                    timeout=self.retry.timeout,
                )
            except requests.RequestException as exc:
                last = type(exc).__name__
                self._nonce = None
            else:
                self._nonce = r.headers.get(proto.HEADER_NEXT_NONCE)
                if r.status_code == 200:
                    try:
                        return proto.parse_json_object(r.content)
                    except proto.ProtocolError as exc:
                        raise SyncError("bad_response", "malformed answer") from exc
                code, message = error_of(r)
                if r.status_code < 500 and code != "bad_nonce":
                    raise SyncError(code, message or code, status=r.status_code)
                last = f"{r.status_code} {code}"
            if attempt < self.retry.attempts:
                wait(self.retry.delay(attempt), None)
        raise SyncError("unreachable", f"the county server cannot be reached ({last})")

    def _sign(self, method: str, target: str, body: bytes) -> dict[str, str]:
        nonce, self._nonce = self._nonce, None
        if not nonce:
            nonce = fetch_nonce(self.session, self.base_url, self.retry.timeout)
        return crypto.sign_request(self.key, self.device_id, method, target, nonce, body)


def fetch_stats(
    client: ReviewClient, as_of: str, period: int | None = None, unit: str | None = None
) -> Any:
    """The county's statistics tables as a :class:`forms.stats.Report` (write it with
    ``printing.stats_files.write_report``): computed at the county, the same definition."""
    from forms import stats

    return stats.report_from_doc(client.stats(as_of, period, unit))
