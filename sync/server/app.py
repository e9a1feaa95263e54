"""The FastAPI app: maps protocol v1 HTTP requests to ``Server`` / ``ingest``.

Bodies are read raw (so malformed JSON gets our own error code and signatures cover the exact
bytes); their JSON Schemas are declared for the OpenAPI spec. Every refusal answers
``{"error", "message"}`` and writes one ``refused`` log line without personal data.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi_offline import FastAPIOffline
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from sync.protocol import (
    HEADER_DEVICE,
    HEADER_NEXT_NONCE,
    MAX_INT,
    PROTOCOL_VERSION,
    SUPPORTED_PROTOCOLS,
    ProtocolError,
    check_protocol,
    error_body,
    parse_json_object,
)
from sync.server import schemas
from sync.server.errors import SyncError
from sync.server.ingest import ingest
from sync.server.service import Server, _protocol_status

_VERSION_PATH = re.compile(r"^/v(\d+)(/|$)")
JSON = "application/json"


def _refusal(server: Server, request: Request, err: SyncError, context: str = "") -> JSONResponse:
    device = request.headers.get(HEADER_DEVICE, "-")
    server.log.warning(
        "refused %s status=%d %s %s device=%s %s: %s",
        err.code,
        err.status,
        request.method,
        request.url.path,
        device,
        context,
        err.message,
    )
    return JSONResponse(error_body(err.code, err.message, **err.extra), status_code=err.status)


async def _read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise SyncError(413, "batch_too_large", f"the body exceeds {limit} bytes")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise SyncError(413, "batch_too_large", f"the body exceeds {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _json_doc(body: bytes) -> dict[str, Any]:
    try:
        doc = parse_json_object(body)
        check_protocol(doc, "request")
    except ProtocolError as exc:
        raise SyncError(_protocol_status(exc.code), exc.code, exc.message) from exc
    return doc


def _target(request: Request) -> str:
    raw = request.scope.get("raw_path")
    path = raw.decode("latin-1") if raw else request.url.path
    query = request.scope.get("query_string", b"").decode("latin-1")
    return f"{path}?{query}" if query else path


def create_app(server: Server) -> FastAPI:
    app = FastAPIOffline(  # /docs and /redoc load their scripts from this server, not a CDN
        title=f"UnionDesk {server.config.level} server",
        version=f"protocol {PROTOCOL_VERSION}",
        description="UnionDesk sync protocol v1 — see sync/PROTOCOL.md.",
    )
    app.state.server = server
    small = 64 * 1024

    @app.middleware("http")
    async def version_gate(request: Request, call_next: Any) -> Response:
        match = _VERSION_PATH.match(request.url.path)
        if match and int(match.group(1)) not in SUPPORTED_PROTOCOLS:
            return _refusal(
                server,
                request,
                SyncError(
                    410,
                    "unsupported_protocol",
                    f"protocol v{match.group(1)} is no longer accepted by this server; "
                    f"supported: {list(SUPPORTED_PROTOCOLS)}",
                    supported=list(SUPPORTED_PROTOCOLS),
                ),
            )
        try:
            return await call_next(request)
        except SyncError as err:  # raised while streaming a body
            return _refusal(server, request, err)

    @app.exception_handler(SyncError)
    async def on_sync_error(request: Request, err: SyncError) -> JSONResponse:
        return _refusal(server, request, err, err.context)

    @app.exception_handler(RequestValidationError)
    async def on_validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        fields = ",".join(".".join(str(p) for p in e.get("loc", ())) for e in exc.errors())
        return _refusal(
            server, request, SyncError(422, "invalid_document", f"invalid parameters: {fields}")
        )

    @app.exception_handler(StarletteHTTPException)
    async def on_http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return _refusal(server, request, SyncError(exc.status_code, code, str(exc.detail)))

    @app.exception_handler(Exception)
    async def on_crash(request: Request, exc: Exception) -> JSONResponse:
        server.log.exception("internal error %s %s", request.method, request.url.path)
        return JSONResponse(
            error_body("internal_error", "the server failed; the request can be retried"),
            status_code=500,
        )

    def signed_ok(payload: dict[str, Any]) -> JSONResponse:
        return JSONResponse(payload, headers={HEADER_NEXT_NONCE: server.issue_nonce()})

    @app.get("/versions", response_model=schemas.Versions)
    def versions() -> dict[str, Any]:
        return {"supported": list(SUPPORTED_PROTOCOLS), "current": PROTOCOL_VERSION}

    @app.get("/v1/info", response_model=schemas.Info)
    def info() -> dict[str, Any]:
        return server.info()

    @app.get("/v1/ca", response_model=schemas.CaCert)
    def ca() -> dict[str, Any]:
        return {"protocol": PROTOCOL_VERSION, "ca_cert_pem": server.ca_pem}

    @app.post(
        "/v1/enroll",
        openapi_extra=schemas.body(schemas.EnrollRequest),
        responses=schemas.error_responses(400, 403, 422),
    )
    async def enroll(request: Request) -> Response:
        doc = _json_doc(await _read_body(request, small))
        response = await run_in_threadpool(server.enroll, doc)
        return Response(response.to_json(), media_type=JSON)

    @app.post("/v1/nonce", response_model=schemas.Nonce)
    def nonce() -> dict[str, Any]:
        return {
            "protocol": PROTOCOL_VERSION,
            "nonce": server.issue_nonce(),
            "expires_in": server.config.nonce_ttl_seconds,
        }

    @app.post(
        "/v1/batches",
        openapi_extra=schemas.body(schemas.EnvelopeSchema),
        responses=schemas.error_responses(400, 401, 403, 409, 413, 422),
    )
    async def upload_batch(request: Request) -> Response:
        body = await _read_body(request, server.config.max_batch_bytes)
        receipt = await run_in_threadpool(ingest, server, body)
        return Response(receipt, media_type=JSON)

    @app.get("/v1/inbox", responses=schemas.error_responses(401, 403, 422))
    async def get_inbox(
        request: Request,
        after: int = Query(0, ge=0, le=2**62),
        limit: int = Query(100, ge=1, le=500),
    ) -> Response:
        device = await run_in_threadpool(
            server.authenticate, "GET", _target(request), request.headers, b""
        )
        messages, more = await run_in_threadpool(server.inbox_page, device.device_id, after, limit)
        body = (
            b'{"messages":['
            + b",".join(messages)
            + b'],"more":'
            + (b"true" if more else b"false")
            + b',"protocol":1,"type":"inbox_page"}'
        )
        return Response(body, media_type=JSON, headers={HEADER_NEXT_NONCE: server.issue_nonce()})

    @app.post(
        "/v1/inbox/ack",
        openapi_extra=schemas.body(schemas.InboxAck),
        responses=schemas.error_responses(400, 401, 403, 422),
    )
    async def ack_inbox(request: Request) -> Response:
        body = await _read_body(request, small)
        device = await run_in_threadpool(
            server.authenticate, "POST", _target(request), request.headers, body
        )
        doc = _json_doc(body)
        up_to, msg_seqs = doc.get("up_to"), doc.get("msg_seqs")

        def is_seq(v: object) -> bool:
            return isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= MAX_INT

        valid = (
            doc.get("type") == "inbox_ack"
            and (up_to is None or is_seq(up_to))
            and (msg_seqs is None or (isinstance(msg_seqs, list) and len(msg_seqs) <= 1000))
            and (up_to is not None or msg_seqs is not None)
            and all(is_seq(v) for v in msg_seqs or ())
        )
        if not valid:
            raise SyncError(
                422,
                "invalid_document",
                "expected {type: inbox_ack, up_to: int >= 0} or {type: inbox_ack, msg_seqs: [int]}",
            )
        count = await run_in_threadpool(server.ack, device.device_id, up_to, msg_seqs)
        return signed_ok({"protocol": PROTOCOL_VERSION, "acknowledged": count})

    @app.get("/v1/device", responses=schemas.error_responses(401, 403))
    async def device_status(request: Request) -> Response:
        device = await run_in_threadpool(
            server.authenticate, "GET", _target(request), request.headers, b""
        )
        unit = server.store.org_unit(device.org_unit)
        return signed_ok(
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
            }
        )

    from sync.server.review_api import register as register_part2  # review, aggregates

    register_part2(app, server)
    return app
