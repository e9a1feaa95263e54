"""JSON Schemas of protocol v1 for the OpenAPI spec (documentation and fuzzing only).

Request bodies are parsed by ``sync.protocol`` (which gives the wire error codes); these models
only describe them.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field


class ErrorBody(BaseModel):
    error: str = Field(description="machine-readable error code, e.g. bad_signature")
    message: str = Field(description="English text for logs and administrators")


class Versions(BaseModel):
    supported: list[int]
    current: int


class OrgUnitSchema(BaseModel):
    code: str
    name: str
    parent: str | None = None
    kind: str


class Limits(BaseModel):
    max_batch_records: int
    max_batch_bytes: int


class Info(BaseModel):
    protocol: int
    supported: list[int]
    server_id: str
    name: str
    level: str
    signing_key: str
    hpke_public_key: str
    hpke_key_id: str
    suite: str = "intl"  # the server's crypto suite: what a new device key is made for
    org_unit: OrgUnitSchema | None
    limits: Limits
    time: str


class CaCert(BaseModel):
    protocol: int
    ca_cert_pem: str


class Nonce(BaseModel):
    protocol: int
    nonce: str
    expires_in: int


class EnrollRequest(BaseModel):
    protocol: Literal[1]
    type: Literal["enroll_request"]
    code: str = Field(description="the code printed by uniondesk-server enroll-code")
    device_public_key: str = Field(description="base64 raw Ed25519 public key (32 bytes)")
    label: str = ""


class EnvelopeSchema(BaseModel):
    protocol: Literal[1]
    type: Literal["batch"]
    batch_id: str
    device_id: str
    device_seq: int = Field(ge=1, le=2**63 - 1)
    recipient_key_id: str
    payload_sha256: str
    content_sha256: str
    manifest: list[str]
    sealed_at: str
    payload: str = Field(description="base64 HPKE ciphertext")
    signature: str = Field(description="base64 Ed25519 signature of the header")


class InboxAck(BaseModel):
    protocol: Literal[1]
    type: Literal["inbox_ack"]
    up_to: int | None = Field(default=None, ge=0, le=2**63 - 1)
    msg_seqs: list[int] | None = Field(default=None, max_length=1000)


def body(model: type[BaseModel]) -> dict[str, Any]:
    """``openapi_extra`` declaring a required JSON body of ``model``'s schema."""
    return {
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": model.model_json_schema()}},
        }
    }


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    return {
        status: {"model": ErrorBody, "description": "refused; see PROTOCOL.md"}
        for status in statuses
    }
