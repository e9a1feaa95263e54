"""``GET /v1/aggregates``: the province's dashboard counts, for reviewer and county devices."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from sync.server import schemas
from sync.server.domain import province
from sync.server.domain.service import Server
from sync.server.errors import SyncError
from sync.server.routes.common import authenticate, signed_ok


def router(server: Server) -> APIRouter:
    r = APIRouter()

    @r.get("/v1/aggregates", responses=schemas.error_responses(401, 403, 422))
    async def aggregates(
        request: Request, by: str = Query("county", pattern="^(county|township|form)$")
    ) -> JSONResponse:
        device = await authenticate(server, request)
        if device.role not in ("reviewer", "county"):
            raise SyncError(403, "not_allowed", "aggregates are for reviewer devices")
        rows = await run_in_threadpool(province.aggregates, server.store, by)
        return signed_ok(server, {"protocol": 1, "type": "aggregates", "by": by, "rows": rows})

    return r
