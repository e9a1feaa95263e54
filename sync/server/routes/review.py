"""County review for reviewer devices (``/v1/review/…``): the queue, one record with its
history, decisions. Every route is a signed request (PROTOCOL.md, "Review")."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from sync.server import schemas
from sync.server.domain import review
from sync.server.domain.service import Server
from sync.server.routes.common import authenticate, json_doc, read_body, signed_ok


def router(server: Server) -> APIRouter:
    r = APIRouter()

    @r.get("/v1/review/records", responses=schemas.error_responses(401, 403, 422))
    async def review_queue(
        request: Request,
        status: str | None = Query(None, pattern="^(pending|accepted|returned)$"),
        org_unit: str | None = Query(None, max_length=32),
        form_id: str | None = Query(None, max_length=64),
        limit: int = Query(200, ge=1, le=1000),
        offset: int = Query(0, ge=0, le=2**31),
    ) -> JSONResponse:
        device = await authenticate(server, request)
        result = await run_in_threadpool(
            review.queue,
            server,
            device,
            status=status,
            org_unit=org_unit,
            form_id=form_id,
            limit=limit,
            offset=offset,
        )
        return signed_ok(server, result)

    @r.get("/v1/review/records/{record_uuid}", responses=schemas.error_responses(401, 403, 404))
    async def review_record(
        request: Request, record_uuid: str, unmask: bool = Query(False)
    ) -> JSONResponse:
        device = await authenticate(server, request)
        found = await run_in_threadpool(review.detail, server, device, record_uuid, unmask)
        return signed_ok(server, found)

    @r.post("/v1/review/decisions", responses=schemas.error_responses(400, 401, 403, 422))
    async def review_decide(request: Request) -> JSONResponse:
        body = await read_body(request, 1024 * 1024)
        device = await authenticate(server, request, body)
        doc = json_doc(body)
        return signed_ok(server, await run_in_threadpool(review.decide, server, device, doc))

    return r
