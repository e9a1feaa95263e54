"""The client side of enrollment: first contact with a county server, using a one-time code.

1. ``GET /v1/ca`` without TLS verification; the code's last 10 characters must match
   ``protocol.ca_check`` of that CA (otherwise this is not the server the code was made for).
2. Generate an Ed25519 device key; ``POST /v1/enroll`` with the public key over TLS pinned to
   that CA; receive the device id, org unit, server keys, forms and org-unit tree.

The private key is returned to the caller (the desktop keeps it inside its encrypted workspace)
and never sent anywhere.
"""

from __future__ import annotations

import contextlib
import os
import socket
import tempfile
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests

from sync import crypto
from sync import protocol as proto


class EnrollError(Exception):
    """Enrollment failed; ``code`` is the wire error code or a client one (``bad_url``,
    ``unreachable``, ``wrong_server``, ``bad_response``); the message is data-free."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class EnrollResult:
    """What a device keeps after enrolling."""

    server_url: str
    device_id: str
    org_unit: str
    org_unit_name: str
    server_id: str
    server_name: str
    server_signing_key: bytes
    server_hpke_key: bytes
    ca_pem: str
    device_private_key: bytes  # raw Ed25519 private key: keep it encrypted, never send it
    forms: tuple[Mapping[str, Any], ...]
    org_units: list[dict[str, Any]]
    next_device_seq: int
    max_batch_records: int
    max_batch_bytes: int


def normalise_url(url: str) -> str:
    """``https://host:port`` without a trailing slash; EnrollError("bad_url") otherwise."""
    url = url.strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname:
        raise EnrollError("bad_url", "the server address must start with https://")
    return url


def fetch_ca(server_url: str, timeout: float = 10.0) -> str:
    """The CA certificate the server presents at first contact (not yet trusted)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # urllib3's InsecureRequestWarning: checked below
            r = requests.get(server_url + "/v1/ca", verify=False, timeout=timeout)
    except requests.RequestException as exc:
        raise EnrollError(
            "unreachable", f"the server cannot be reached ({type(exc).__name__})"
        ) from exc
    if r.status_code != 200:
        raise EnrollError("bad_response", f"the server answered {r.status_code} to /v1/ca")
    try:
        pem = proto.parse_json_object(r.content)["ca_cert_pem"]
    except (proto.ProtocolError, KeyError) as exc:
        raise EnrollError("bad_response", "the server's CA answer is malformed") from exc
    if not isinstance(pem, str):
        raise EnrollError("bad_response", "the server's CA answer is malformed")
    return pem


def server_suite(server_url: str, ca_path: str, timeout: float = 10.0) -> str:
    """The crypto suite a server names in ``GET /v1/info`` (checked against its pinned CA);
    ``intl`` for a server from before suites."""
    r = requests.get(server_url + "/v1/info", verify=ca_path, timeout=timeout)
    if r.status_code != 200:
        raise EnrollError("bad_response", f"the server answered {r.status_code} to /v1/info")
    try:
        return proto.ServerKeys.from_dict(proto.parse_json_object(r.content)).suite
    except proto.ProtocolError as exc:
        raise EnrollError("bad_response", f"the server's /v1/info is malformed: {exc}") from exc


def enroll_device(
    server_url: str, code: str, *, label: str | None = None, timeout: float = 20.0
) -> EnrollResult:
    """Enroll a new device key with the server; raises EnrollError with a clear message."""
    url = normalise_url(server_url)
    try:
        _, check = proto.split_enroll_code(code)
    except proto.ProtocolError as exc:
        raise EnrollError("enroll_code_invalid", exc.message) from exc
    ca_pem = fetch_ca(url, timeout)
    if proto.ca_check(ca_pem) != check:
        raise EnrollError("wrong_server", "this is not the server the enrollment code was made for")
    fd, ca_path = tempfile.mkstemp(prefix="uniondesk-ca-", suffix=".pem")
    try:
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(ca_pem)
        try:
            # the device key is made for the server's suite (gm: SM2), which /v1/info names
            key = crypto.new_signing_key(server_suite(url, ca_path, timeout))
            request = proto.EnrollRequest(
                code=code,
                device_public_key=crypto.public_bytes(key),
                label=label if label is not None else socket.gethostname()[:200],
            )
            r = requests.post(
                url + "/v1/enroll",
                data=request.to_json(),
                headers={"Content-Type": "application/json"},
                verify=ca_path,
                timeout=timeout,
            )
        except requests.exceptions.SSLError as exc:
            raise EnrollError(
                "wrong_server", "the server's certificate does not match its CA"
            ) from exc
        except requests.RequestException as exc:
            raise EnrollError(
                "unreachable", f"the server cannot be reached ({type(exc).__name__})"
            ) from exc
    finally:
        with contextlib.suppress(OSError):
            os.unlink(ca_path)
    if r.status_code != 200:
        code_, message = error_of(r)
        raise EnrollError(code_, f"enrollment refused: {message}")
    try:
        resp = proto.EnrollResponse.from_json(r.content)
    except proto.ProtocolError as exc:
        raise EnrollError("bad_response", f"the enrollment answer is malformed: {exc}") from exc
    if proto.ca_check(resp.ca_cert_pem) != check:
        raise EnrollError("wrong_server", "the enrollment answer names another CA")
    return EnrollResult(
        server_url=url,
        device_id=resp.device_id,
        org_unit=resp.org_unit.code,
        org_unit_name=resp.org_unit.name,
        server_id=resp.server.server_id,
        server_name=resp.server.name,
        server_signing_key=resp.server.signing_key,
        server_hpke_key=resp.server.hpke_public_key,
        ca_pem=resp.ca_cert_pem,
        device_private_key=crypto.private_bytes(key),
        forms=resp.forms,
        org_units=[u.to_dict() for u in resp.org_units],
        next_device_seq=resp.next_device_seq,
        max_batch_records=resp.max_batch_records,
        max_batch_bytes=resp.max_batch_bytes,
    )


def error_of(r: requests.Response) -> tuple[str, str]:
    """(error code, message) of a refusal body; generic when the body is not the v1 shape."""
    try:
        doc = proto.parse_json_object(r.content)
        return str(doc.get("error", f"http_{r.status_code}")), str(doc.get("message", ""))
    except proto.ProtocolError:
        return f"http_{r.status_code}", f"HTTP {r.status_code}"
