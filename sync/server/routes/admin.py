"""For the people and systems that watch a server: ``GET /v1/health`` and ``GET /metrics``.

Neither needs authentication and neither carries personal data (``domain/health.py``,
``metrics.py``). Keep both off the public internet at the reverse proxy if that matters to you:
they show counts and times, not records.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from sync.server.domain import health
from sync.server.domain.service import Server
from sync.server.metrics import CONTENT_TYPE, ServerMetrics


def router(server: Server) -> APIRouter:
    r = APIRouter()

    @r.get("/v1/health")
    async def get_health() -> JSONResponse:
        doc = await run_in_threadpool(health.report, server)
        status = 200 if doc["database"]["reachable"] else 503
        return JSONResponse(doc, status_code=status)

    @r.get("/metrics")
    async def get_metrics(request: Request) -> Response:
        metrics: ServerMetrics = request.app.state.metrics
        return Response(await run_in_threadpool(metrics.text), media_type=CONTENT_TYPE)

    return r
