"""Enrollment with a one-time code, and a device's own status (signed)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from sync.protocol import PROTOCOL_VERSION
from sync.server import schemas
from sync.server.domain import rekey
from sync.server.domain.service import Server
from sync.server.errors import SyncError
from sync.server.routes.common import JSON, SMALL_BODY, authenticate, json_doc, read_body, signed_ok


def router(server: Server) -> APIRouter:
    r = APIRouter()

    @r.post(
        "/v1/enroll",
        openapi_extra=schemas.body(schemas.EnrollRequest),
        responses=schemas.error_responses(400, 403, 422),
    )
    async def enroll(request: Request) -> Response:
        doc = json_doc(await read_body(request, SMALL_BODY))
        response = await run_in_threadpool(server.enroll, doc)
        return Response(response.to_json(), media_type=JSON)

    @r.post("/v1/device/key", responses=schemas.error_responses(401, 403, 422))
    async def device_key(request: Request) -> JSONResponse:
        """A device's new key (after its server moved to another crypto suite), signed with
        its current key and proven by the new one (domain/rekey.py)."""
        body = await read_body(request, SMALL_BODY)
        device = await authenticate(server, request, body)
        doc = json_doc(body)
        return JSONResponse(await run_in_threadpool(rekey.register, server, device, doc))

    @r.get("/v1/device", responses=schemas.error_responses(401, 403))
    async def device_status(request: Request) -> JSONResponse:
        device = await authenticate(server, request)
        unit = server.store.org_unit(device.org_unit)
        if unit is None:  # a device's unit is never deleted; a damaged database is not answered
            raise SyncError(409, "unknown_org_unit", "this device's org unit is not known")
        return signed_ok(
            server,
            {
                "protocol": PROTOCOL_VERSION,
                "device_id": device.device_id,
                "org_unit": {
                    "code": unit.code,
                    "name": unit.name,
                    "parent": unit.parent,
                    "kind": unit.kind,
                },
                "role": device.role,
                "last_device_seq": int(device.last_seq),
                "enrolled_at": device.enrolled_at,
            },
        )

    return r
