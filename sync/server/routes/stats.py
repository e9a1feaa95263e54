"""``GET /v1/stats``: the statistics tables of the device's org unit (signed; reviewer devices
at a county, county devices at a province; PROTOCOL.md "Statistics tables")."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from sync.server import schemas
from sync.server.domain import stats_report
from sync.server.domain.service import Server
from sync.server.routes.common import authenticate, signed_ok


def router(server: Server) -> APIRouter:
    r = APIRouter()

    @r.get("/v1/stats", responses=schemas.error_responses(401, 403, 422))
    async def statistics(
        request: Request,
        as_of: str = Query(..., pattern=r"^\d{4}-\d{2}-\d{2}$"),
        period: int | None = Query(None, ge=1900, le=9999),
        unit: str | None = Query(None, max_length=32),
    ) -> JSONResponse:
        device = await authenticate(server, request)
        doc = await run_in_threadpool(stats_report.for_device, server, device, as_of, period, unit)
        return signed_ok(server, doc)

    return r
