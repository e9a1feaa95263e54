"""Fuzz the server's OpenAPI spec with schemathesis over real HTTPS: no request gets a 500.

Requests to the signed endpoints are signed by an enrolled device (fresh nonce each time), so
the fuzzer reaches the parameter and body handling behind the authentication too.
"""

from __future__ import annotations

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

from sync import crypto

SIGNED_PATHS = ("/v1/inbox", "/v1/device")


class SigningSession(requests.Session):
    """A requests session that signs calls to the authenticated endpoints as ``device``."""

    def __init__(self, device) -> None:
        super().__init__()
        self.device = device
        self.verify = str(device.handle.ca_path)
        self.trust_env = False

    def send(self, request: requests.PreparedRequest, **kwargs):  # type: ignore[override]
        path = request.path_url
        if path.startswith(SIGNED_PATHS):
            body = request.body or b""
            if isinstance(body, str):
                body = body.encode("utf-8")
            headers = crypto.sign_request(
                self.device.key,
                self.device.device_id,
                request.method or "GET",
                path,
                self.device.nonce(),
                body,
            )
            request.headers.update(headers)
        return super().send(request, **kwargs)


@pytest.fixture(scope="module")
def fuzz_target(county_server):
    from tests.sync.conftest import RawDevice

    device = RawDevice(county_server)
    device.enroll()
    device.post_batch(device.seal([device.record()]))  # something in the inbox
    return county_server, SigningSession(device)


def operations(handle) -> list:
    spec = requests.get(f"{handle.url}/openapi.json", verify=str(handle.ca_path), timeout=10)
    assert spec.status_code == 200
    schema = schemathesis.openapi.from_dict(spec.json())
    return [result.ok() for result in schema.get_all_operations()]


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_no_request_makes_the_server_fail(fuzz_target, mode):
    handle, session = fuzz_target
    ops = operations(handle)
    assert {f"{op.method.upper()} {op.path}" for op in ops} >= {
        "POST /v1/enroll",
        "POST /v1/batches",
        "GET /v1/inbox",
        "POST /v1/inbox/ack",
    }
    seen: list[int] = []
    for op in ops:

        @given(case=op.as_strategy(generation_mode=mode))
        @settings(
            max_examples=15,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def run(case) -> None:
            response = case.call(
                base_url=handle.url, session=session, timeout=10, verify=session.verify
            )
            seen.append(response.status_code)
            assert response.status_code < 500, (case.method, case.path, response.text[:300])
            case.validate_response(response, checks=[not_a_server_error])
            if response.status_code >= 400:
                assert "error" in response.json()  # every refusal has an error code

        try:
            run()
        except Unsatisfiable:  # nothing to negate (no parameters, no body)
            assert mode is GenerationMode.NEGATIVE
    assert len(seen) > 5 * len(ops)
    if mode is GenerationMode.NEGATIVE:
        assert any(400 <= status < 500 for status in seen)
    assert "internal error" not in handle.log_text()
