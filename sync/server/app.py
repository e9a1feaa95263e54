"""The FastAPI app: the version gate, one error format, and the route modules (``routes/``).

Routes only translate HTTP to calls of the domain (``domain/``). Bodies are read raw (so
malformed JSON gets our own error code and signatures cover the exact bytes); their JSON Schemas
are declared for the OpenAPI spec. Every refusal answers ``{"error", "message"}`` and writes one
``refused`` log line without personal data.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi_offline import FastAPIOffline
from starlette.exceptions import HTTPException as StarletteHTTPException

from sync.protocol import (
    HEADER_DEVICE,
    PROTOCOL_VERSION,
    SUPPORTED_PROTOCOLS,
    error_body,
)
from sync.server.domain.service import Server
from sync.server.errors import SyncError, loggable
from sync.server.metrics import ServerMetrics
from sync.server.routes import (
    admin,
    aggregates,
    batches,
    devices,
    inbox,
    meta,
    org_tree,
    review,
    stats,
)

_VERSION_PATH = re.compile(r"^/v(\d+)(/|$)")
ROUTE_MODULES = (meta, devices, batches, inbox, review, org_tree, aggregates, stats, admin)
BATCHES_PATH = "/v1/batches"


def _refusal(server: Server, request: Request, err: SyncError, context: str = "") -> JSONResponse:
    device = request.headers.get(HEADER_DEVICE, "-")
    if request.url.path == BATCHES_PATH and request.method == "POST":
        request.app.state.metrics.batch_refused(err.code)
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


def create_app(server: Server) -> FastAPI:
    app = FastAPIOffline(  # /docs and /redoc load their scripts from this server, not a CDN
        title=f"UnionDesk {server.config.level} server",
        version=f"protocol {PROTOCOL_VERSION}",
        description="UnionDesk sync protocol v1 — see sync/PROTOCOL.md.",
    )
    app.state.server = server
    app.state.metrics = ServerMetrics(server)

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
            response: Response = await call_next(request)
            return response
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
        server.log.error(
            "internal error %s %s: %s", request.method, request.url.path, loggable(exc)
        )
        if request.url.path == BATCHES_PATH:
            request.app.state.metrics.batch_refused("internal_error")
        return JSONResponse(
            error_body("internal_error", "the server failed; the request can be retried"),
            status_code=500,
        )

    for module in ROUTE_MODULES:
        app.include_router(module.router(server))
    return app
