"""A real service on 127.0.0.1 (uvicorn in a thread) and a TCP proxy in front of it that misbehaves on
purpose: it refuses connections, cuts a request halfway, cuts the answer after the service acted on the
request, delays, or answers 503 itself. Each connection takes the next mode from a list (the app's client
opens one connection per request here, so a mode is a request's fate)."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn
from fastapi import FastAPI

from sync.server.devstack import free_ports

PASS = "pass"
REFUSE = "refuse"  # the connection is closed at once
CUT_REQUEST = "cut_request"  # part of the request reaches the service, then the line drops
CUT_RESPONSE = "cut_response"  # the service gets the whole request and answers; the answer is lost
DELAY = "delay"  # a second's wait before the request goes on
ERROR = "error"  # a 503 from the "load balancer"; the service never sees the request

_BUSY = b'{"detail": "The service is restarting; try again in a moment."}'
SERVICE_UNAVAILABLE = (
    b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nRetry-After: 0\r\n"
    + f"Content-Length: {len(_BUSY)}\r\nConnection: close\r\n\r\n".encode()
    + _BUSY
)


@contextmanager
def live_service(app: FastAPI) -> Iterator[str]:
    """Serve `app` with uvicorn on 127.0.0.1 and a free port; yield its URL; stop it."""
    port = free_ports(1)[0]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, name="test-service", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test service did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


class FaultyProxy:
    """Listens on 127.0.0.1 and a free port; `modes` is consumed one entry per connection (then PASS)."""

    def __init__(self, upstream_port: int) -> None:
        self.upstream_port = upstream_port
        self.modes: list[str] = []
        self.seen: list[str] = []
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._stopping = False
        self._thread = threading.Thread(target=self._accept, name="faulty-proxy", daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def close(self) -> None:
        self._stopping = True
        self._listener.close()
        self._thread.join(5)

    def _next_mode(self) -> str:
        with self._lock:
            mode = self.modes.pop(0) if self.modes else PASS
            self.seen.append(mode)
            return mode

    def _accept(self) -> None:
        while not self._stopping:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client, self._next_mode()), daemon=True).start()

    def _serve(self, client: socket.socket, mode: str) -> None:
        with client:
            if mode == REFUSE:
                client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                return
            request = _read_request(client)
            if mode == ERROR:
                client.sendall(SERVICE_UNAVAILABLE)
                return
            if mode == DELAY:
                time.sleep(1.0)
            with socket.create_connection(("127.0.0.1", self.upstream_port)) as upstream:
                if mode == CUT_REQUEST:
                    upstream.sendall(request[: max(1, len(request) // 2)])
                    return
                upstream.sendall(request)
                response = _read_all(upstream)
                if mode == CUT_RESPONSE:
                    return  # the service acted; the client never hears of it
                client.sendall(response)


def _read_request(conn: socket.socket) -> bytes:
    """One HTTP/1.1 request: headers, then Content-Length bytes of body (the app's client sends no chunks
    on these routes)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            break
        body += chunk
    # Ask the service to close after answering, so reading "until closed" reads one answer.
    head = (
        b"\r\n".join(line for line in head.split(b"\r\n") if not line.lower().startswith(b"connection:"))
        + b"\r\nConnection: close"
    )
    return head + b"\r\n\r\n" + body


def _read_all(conn: socket.socket) -> bytes:
    data = b""
    with contextlib.suppress(OSError):
        while chunk := conn.recv(65536):
            data += chunk
    return data
