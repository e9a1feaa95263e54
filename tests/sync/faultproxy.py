"""A TCP proxy on 127.0.0.1 for fault injection in the sync tests (real sockets, real TLS).

It forwards bytes between the client and the real county server without looking inside the TLS
stream, and applies one :class:`Fault` per accepted connection (taken from a queue, or the
default): pass through, cut the upload after N bytes, swallow the server's answer (the server
processed the request but the client never hears back), delay, or refuse the connection.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections import deque
from dataclasses import dataclass


@dataclass(frozen=True)
class Fault:
    """What happens to one connection.

    kind: ``"pass"``; ``"cut_upload"`` (close both sides after ``after`` bytes from the client);
    ``"drop_reply"`` (forward the request fully; once ``after`` bytes went up, swallow the
    answer and drop the connection when the client has gone quiet - the server acted, the
    client sees a broken connection); ``"delay"``
    (hold the server's answer ``seconds`` - a client with a short read timeout gives up);
    ``"refuse"`` (accept and close at once, like a server that is down).
    """

    kind: str = "pass"
    after: int = 0
    seconds: float = 0.0


class FaultProxy:
    """Listens on 127.0.0.1:<port>, forwards to ``target``; ``url`` is the https URL to use."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self._faults: deque[Fault] = deque()
        self.default = Fault()
        self._lock = threading.Lock()
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(64)
        self.port = self._sock.getsockname()[1]
        self._stop = threading.Event()
        self._conns: set[socket.socket] = set()
        self.connections = 0
        self._thread = threading.Thread(target=self._accept_loop, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    def push(self, *faults: Fault) -> None:
        """Queue faults for the next connections, in order."""
        with self._lock:
            self._faults.extend(faults)

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()
            self.default = Fault()

    def _next_fault(self) -> Fault:
        with self._lock:
            return self._faults.popleft() if self._faults else self.default

    def close(self) -> None:
        self._stop.set()
        with contextlib.suppress(OSError):
            self._sock.close()
        for conn in list(self._conns):
            with contextlib.suppress(OSError):
                conn.close()
        self._thread.join(timeout=2)

    def __enter__(self) -> FaultProxy:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- internals ----------------------------------------------------------------------
    def _accept_loop(self) -> None:
        while not self._stop.is_set():
            try:
                client, _ = self._sock.accept()
            except OSError:
                return
            self.connections += 1
            fault = self._next_fault()
            threading.Thread(target=self._handle, args=(client, fault), daemon=True).start()

    def _handle(self, client: socket.socket, fault: Fault) -> None:
        self._conns.add(client)
        if fault.kind == "refuse":
            self._shut(client)
            return
        try:
            upstream = socket.create_connection(self.target, timeout=5)
        except OSError:
            self._shut(client)
            return
        self._conns.add(upstream)
        state = {"up": 0, "last_up": time.monotonic()}
        done = threading.Event()

        def close_both() -> None:
            done.set()
            self._shut(client)
            self._shut(upstream)

        def pump_up() -> None:
            try:
                while not done.is_set():
                    data = client.recv(65536)
                    if not data:
                        break
                    if fault.kind == "cut_upload" and state["up"] + len(data) > fault.after:
                        keep = max(0, fault.after - state["up"])
                        if keep:
                            upstream.sendall(data[:keep])
                        close_both()
                        return
                    state["up"] += len(data)
                    state["last_up"] = time.monotonic()
                    upstream.sendall(data)
            except OSError:
                pass
            close_both()

        def pump_down() -> None:
            swallowing = False
            try:
                while not done.is_set():
                    try:
                        data = upstream.recv(65536)
                    except TimeoutError:
                        data = None
                    if data == b"":
                        break
                    if fault.kind == "drop_reply" and (swallowing or state["up"] > fault.after):
                        # the request went up in full (the upload is never cut); the answer
                        # is swallowed, and the connection dropped once the client went quiet
                        swallowing = True
                        upstream.settimeout(0.05)
                        if time.monotonic() - state["last_up"] > 0.1:
                            close_both()
                            return
                        continue
                    if data is None:
                        continue
                    if fault.kind == "delay" and state["up"] > fault.after:
                        time.sleep(fault.seconds)
                    client.sendall(data)
            except OSError:
                pass
            close_both()

        threading.Thread(target=pump_up, daemon=True).start()
        threading.Thread(target=pump_down, daemon=True).start()

    def _shut(self, sock: socket.socket) -> None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
        with contextlib.suppress(OSError):
            sock.close()
        self._conns.discard(sock)
