"""What every route module shares: raw bodies with a size limit, our own JSON errors, the signed
request target, and signed answers (each carries the next nonce)."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from sync.protocol import HEADER_NEXT_NONCE, ProtocolError, check_protocol, parse_json_object
from sync.server.domain.service import Server, _protocol_status
from sync.server.errors import SyncError

JSON = "application/json"
SMALL_BODY = 64 * 1024


async def read_body(request: Request, limit: int) -> bytes:
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


def json_doc(body: bytes) -> dict[str, Any]:
    try:
        doc = parse_json_object(body)
        check_protocol(doc, "request")
    except ProtocolError as exc:
        raise SyncError(_protocol_status(exc.code), exc.code, exc.message) from exc
    return doc


def target(request: Request) -> str:
    """The request target exactly as the device signed it (raw path and query)."""
    raw = request.scope.get("raw_path")
    path = raw.decode("latin-1") if raw else request.url.path
    query = request.scope.get("query_string", b"").decode("latin-1")
    return f"{path}?{query}" if query else path


async def authenticate(server: Server, request: Request, body: bytes = b"") -> Any:
    """The enrolled, unrevoked device that signed this request (or a ``SyncError``)."""
    return await run_in_threadpool(
        server.authenticate, request.method, target(request), request.headers, body
    )


def signed_ok(server: Server, payload: dict[str, Any]) -> JSONResponse:
    return JSONResponse(payload, headers={HEADER_NEXT_NONCE: server.issue_nonce()})
