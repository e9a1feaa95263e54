"""``POST /v1/batches``: a sealed, signed batch in; a signed receipt out (``domain.ingest``)."""

from __future__ import annotations

import json
import time

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from sync.server import schemas
from sync.server.domain.ingest import ingest
from sync.server.domain.service import Server
from sync.server.metrics import ServerMetrics, receipt_statuses
from sync.server.routes.common import JSON, read_body


def router(server: Server) -> APIRouter:
    r = APIRouter()

    @r.post(
        "/v1/batches",
        openapi_extra=schemas.body(schemas.EnvelopeSchema),
        responses=schemas.error_responses(400, 401, 403, 409, 413, 422),
    )
    async def upload_batch(request: Request) -> Response:
        body = await read_body(request, server.config.max_batch_bytes)
        started = time.perf_counter()
        receipt = await run_in_threadpool(ingest, server, body)
        metrics: ServerMetrics = request.app.state.metrics
        metrics.batch_stored(time.perf_counter() - started, receipt_statuses(json.loads(receipt)))
        return Response(receipt, media_type=JSON)

    return r
