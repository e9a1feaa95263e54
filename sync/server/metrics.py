"""Prometheus metrics of one server (``GET /metrics``), with the ``prometheus-client`` library.

One registry per app (tests run several servers in a process). Counters are this process's since
it started; the relay backlog is read from the database at each scrape, so it is right in every
process. Labels are refusal codes and states only: never a device, a record or personal data.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from sync.server.domain.relay import RelayOutbox
from sync.server.domain.service import Server

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


class _RelayBacklog(Collector):
    def __init__(self, server: Server) -> None:
        self.server = server

    def collect(self) -> Iterator[GaugeMetricFamily]:
        if self.server.config.level != "county":
            return
        gauge = GaugeMetricFamily(
            "uniondesk_relay_backlog", "Relay queue items of this county by state", labels=["state"]
        )
        for state, count in RelayOutbox(self.server).backlog().items():
            gauge.add_metric([state], count)
        yield gauge


class ServerMetrics:
    """The counters the routes update, and the text ``/metrics`` answers."""

    def __init__(self, server: Server) -> None:
        self.registry = CollectorRegistry()
        self.batches_received = Counter(
            "uniondesk_batches_received",
            "Batches stored (a repeat of a stored batch counts again)",
            registry=self.registry,
        )
        self.batches_refused = Counter(
            "uniondesk_batches_refused",
            "Batches refused, by error code",
            ["code"],
            registry=self.registry,
        )
        self.records_ingested = Counter(
            "uniondesk_records_ingested",
            "Records in received batches, by verdict",
            ["status"],
            registry=self.registry,
        )
        self.ingest_seconds = Histogram(
            "uniondesk_ingest_seconds",
            "Time to verify, decrypt, validate and store one batch",
            buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
            registry=self.registry,
        )
        self.registry.register(_RelayBacklog(server))

    def batch_stored(self, seconds: float, statuses: dict[str, int]) -> None:
        self.batches_received.inc()
        self.ingest_seconds.observe(seconds)
        for status, count in statuses.items():
            self.records_ingested.labels(status=status).inc(count)

    def batch_refused(self, code: str) -> None:
        self.batches_refused.labels(code=code).inc()

    def text(self) -> bytes:
        return generate_latest(self.registry)


def receipt_statuses(receipt: dict[str, Any]) -> dict[str, int]:
    """Records per verdict (received, duplicate, rejected) in a receipt document."""
    counts: dict[str, int] = {}
    for rec in receipt.get("records", ()):
        status = str(rec.get("status", "unknown"))
        counts[status] = counts.get(status, 0) + 1
    return counts
