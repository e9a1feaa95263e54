"""A device's signed inbox: pages of messages (receipts, decisions, forms, trees, transfer
offers and answers) and their acknowledgement."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from sync.protocol import (
    HEADER_NEXT_NONCE,
    MAX_INT,
    PROTOCOL_VERSION,
    ProtocolError,
    parse_inbox_kinds,
)
from sync.server import schemas
from sync.server.domain.service import Server
from sync.server.errors import SyncError
from sync.server.routes.common import (
    JSON,
    SMALL_BODY,
    authenticate,
    json_doc,
    read_body,
    signed_ok,
)


def _is_seq(v: object) -> bool:
    return isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= MAX_INT


def router(server: Server) -> APIRouter:
    r = APIRouter()

    @r.get("/v1/inbox", responses=schemas.error_responses(401, 403, 422))
    async def get_inbox(
        request: Request,
        after: int = Query(0, ge=0, le=2**62),
        limit: int = Query(100, ge=1, le=500),
        kinds: str | None = Query(
            None,
            max_length=2000,
            description="the inbox kinds this device applies, comma separated (the server "
            "sends a newer kind, e.g. review_decisions, only to a device that declared it)",
        ),
    ) -> Response:
        device = await authenticate(server, request)
        try:
            declared = parse_inbox_kinds(kinds) if kinds is not None else None
        except ProtocolError as exc:
            raise SyncError(422, exc.code, exc.message) from exc
        await run_in_threadpool(server.note_inbox_kinds, device, declared)
        messages, more = await run_in_threadpool(server.inbox_page, device.device_id, after, limit)
        body = (
            b'{"messages":['
            + b",".join(messages)
            + b'],"more":'
            + (b"true" if more else b"false")
            + b',"protocol":1,"type":"inbox_page"}'
        )
        return Response(body, media_type=JSON, headers={HEADER_NEXT_NONCE: server.issue_nonce()})

    @r.post(
        "/v1/inbox/ack",
        openapi_extra=schemas.body(schemas.InboxAck),
        responses=schemas.error_responses(400, 401, 403, 422),
    )
    async def ack_inbox(request: Request) -> JSONResponse:
        body = await read_body(request, SMALL_BODY)
        device = await authenticate(server, request, body)
        doc = json_doc(body)
        up_to, msg_seqs = doc.get("up_to"), doc.get("msg_seqs")
        valid = (
            doc.get("type") == "inbox_ack"
            and (up_to is None or _is_seq(up_to))
            and (msg_seqs is None or (isinstance(msg_seqs, list) and len(msg_seqs) <= 1000))
            and (up_to is not None or msg_seqs is not None)
            and all(_is_seq(v) for v in msg_seqs or ())
        )
        if not valid:
            raise SyncError(
                422,
                "invalid_document",
                "expected {type: inbox_ack, up_to: int >= 0} or {type: inbox_ack, msg_seqs: [int]}",
            )
        count = await run_in_threadpool(server.ack, device.device_id, up_to, msg_seqs)
        return signed_ok(server, {"protocol": PROTOCOL_VERSION, "acknowledged": count})

    return r
