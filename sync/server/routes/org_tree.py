"""``POST /v1/org-tree``: a county's signed org-unit tree, received by its province."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from sync.server import schemas
from sync.server.domain.org_tree import receive_tree
from sync.server.domain.service import Server
from sync.server.routes.common import authenticate, json_doc, read_body, signed_ok


def router(server: Server) -> APIRouter:
    r = APIRouter()

    @r.post("/v1/org-tree", responses=schemas.error_responses(400, 401, 403, 422))
    async def org_tree(request: Request) -> JSONResponse:
        body = await read_body(request, 4 * 1024 * 1024)
        device = await authenticate(server, request, body)
        doc = json_doc(body)
        return signed_ok(server, await run_in_threadpool(receive_tree, server, device, doc))

    return r
