"""Unauthenticated protocol basics: supported versions, server info, the CA, a fresh nonce."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from sync.protocol import PROTOCOL_VERSION, SUPPORTED_PROTOCOLS
from sync.server import schemas
from sync.server.domain.service import Server


def router(server: Server) -> APIRouter:
    r = APIRouter()

    @r.get("/versions", response_model=schemas.Versions)
    def versions() -> dict[str, Any]:
        return {"supported": list(SUPPORTED_PROTOCOLS), "current": PROTOCOL_VERSION}

    @r.get("/v1/info", response_model=schemas.Info)
    def info() -> dict[str, Any]:
        return server.info()

    @r.get("/v1/ca", response_model=schemas.CaCert)
    def ca() -> dict[str, Any]:
        return {"protocol": PROTOCOL_VERSION, "ca_cert_pem": server.ca_pem}

    @r.post("/v1/nonce", response_model=schemas.Nonce)
    def nonce() -> dict[str, Any]:
        return {
            "protocol": PROTOCOL_VERSION,
            "nonce": server.issue_nonce(),
            "expires_in": server.config.nonce_ttl_seconds,
        }

    return r
