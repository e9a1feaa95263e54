"""HTTP routes of part 2: county review (``/v1/review/…``), province aggregates and county
org-unit trees (``/v1/org-tree``).

Registered by ``sync.server.app.create_app``. Every route is a signed request (PROTOCOL.md,
"Signed requests"); refusals go through the app's ``SyncError`` handler (one log line each).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Query, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from sync.protocol import HEADER_NEXT_NONCE
from sync.server import review
from sync.server.errors import SyncError
from sync.server.service import Server


def register(app: FastAPI, server: Server) -> None:
    """Add the review and aggregate routes to ``app`` and make sure their tables exist."""
    from sync.server.app import _json_doc, _read_body, _target, schemas

    review.ensure_tables(server.store)

    def ok(payload: dict[str, Any]) -> JSONResponse:
        return JSONResponse(payload, headers={HEADER_NEXT_NONCE: server.issue_nonce()})

    async def auth(request: Request, body: bytes = b"") -> Any:
        return await run_in_threadpool(
            server.authenticate, request.method, _target(request), request.headers, body
        )

    @app.get("/v1/review/records", responses=schemas.error_responses(401, 403, 422))
    async def review_queue(
        request: Request,
        status: str | None = Query(None, pattern="^(pending|accepted|returned)$"),
        org_unit: str | None = Query(None, max_length=32),
        form_id: str | None = Query(None, max_length=64),
        limit: int = Query(200, ge=1, le=1000),
        offset: int = Query(0, ge=0, le=2**31),
    ) -> JSONResponse:
        device = await auth(request)
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
        return ok(result)

    @app.get("/v1/review/records/{record_uuid}", responses=schemas.error_responses(401, 403, 404))
    async def review_record(request: Request, record_uuid: str) -> JSONResponse:
        device = await auth(request)
        return ok(await run_in_threadpool(review.detail, server, device, record_uuid))

    @app.post("/v1/review/decisions", responses=schemas.error_responses(400, 401, 403, 422))
    async def review_decide(request: Request) -> JSONResponse:
        body = await _read_body(request, 1024 * 1024)
        device = await auth(request, body)
        doc = _json_doc(body)
        return ok(await run_in_threadpool(review.decide, server, device, doc))

    @app.post("/v1/org-tree", responses=schemas.error_responses(400, 401, 403, 422))
    async def org_tree(request: Request) -> JSONResponse:
        from sync.server.org_tree import receive_tree

        body = await _read_body(request, 4 * 1024 * 1024)
        device = await auth(request, body)
        doc = _json_doc(body)
        return ok(await run_in_threadpool(receive_tree, server, device, doc))

    @app.get("/v1/aggregates", responses=schemas.error_responses(401, 403, 422))
    async def aggregates(
        request: Request, by: str = Query("county", pattern="^(county|township|form)$")
    ) -> JSONResponse:
        device = await auth(request)
        if device.role not in ("reviewer", "county"):
            raise SyncError(403, "not_allowed", "aggregates are for reviewer devices")
        from sync.server import province

        rows = await run_in_threadpool(province.aggregates, server.store, by)
        return ok({"protocol": 1, "type": "aggregates", "by": by, "rows": rows})
