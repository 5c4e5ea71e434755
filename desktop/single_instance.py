"""One window per data folder: a second launch hands its files to the app already running and leaves.

The first instance listens on a local socket (a named pipe on Windows, a socket file in the temporary folder
elsewhere) whose name comes from the user and the data folder, so two data folders can be open side by side
but never two windows on one database. A later launch connects and sends one message, a 4-byte big-endian
length and then JSON `{"paths": [...]}` with absolute paths; the running app answers one byte once it has
them, brings its window forward and imports them, and the later launch exits. A socket file left behind by a
crash answers nobody: the next start listens in its place (Qt puts a new file over it; where the name is
reported in use, `QLocalServer.removeServer` clears it first).
"""

from __future__ import annotations

import getpass
import hashlib
import json
import logging
import os
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QEventLoop, QObject, QTimer, Signal
from PySide6.QtNetwork import QAbstractSocket, QLocalServer, QLocalSocket

log = logging.getLogger(__name__)

ACK = b"\x06"
MAX_MESSAGE = 1_000_000  # bytes of JSON: thousands of paths; anything bigger is not from us
CONNECT_MS = 1000
ANSWER_MS = 5000
IDLE_PEER_MS = 10_000  # a peer that connects and says nothing is dropped after this


class HandOverFailed(Exception):
    """An instance is listening for this data folder but did not take the files."""


def server_name(data_dir: Path) -> str:
    """The socket's name for `data_dir` and this user: letters, digits and dashes only, short enough for a
    socket path on macOS (104 bytes) and the same for every spelling of the folder."""
    try:
        user = getpass.getuser()
    except Exception:  # no user name in the environment or the password database
        user = str(Path.home())
    folder = os.path.normcase(str(data_dir.expanduser().resolve()))
    digest = hashlib.sha256(f"{user}\0{folder}".encode()).hexdigest()[:24]
    return f"printstall-{digest}"


def encode(paths: Sequence[Path]) -> bytes:
    payload = json.dumps({"paths": [str(Path(p).absolute()) for p in paths]}).encode()
    return len(payload).to_bytes(4, "big") + payload


def decode(payload: bytes) -> list[Path]:
    """The paths of a message body; ValueError when it is not one of ours."""
    data = json.loads(payload)
    paths = data.get("paths") if isinstance(data, dict) else None
    if not isinstance(paths, list) or not all(isinstance(p, str) and p for p in paths):
        raise ValueError("not a list of paths")
    return [Path(p) for p in paths]


class _Peer(QObject):
    """One connection to the running instance: reads one message, answers, hangs up."""

    def __init__(self, socket: QLocalSocket, owner: SingleInstance) -> None:
        super().__init__(socket)
        self.socket = socket
        self.owner = owner
        self.buffer = b""
        socket.readyRead.connect(self.read)
        socket.disconnected.connect(self.done)
        QTimer.singleShot(IDLE_PEER_MS, self, socket.abort)

    def done(self) -> None:
        self.owner.peers.discard(self)
        self.socket.deleteLater()

    def read(self) -> None:
        self.buffer += bytes(self.socket.readAll().data())
        if len(self.buffer) < 4:
            return
        size = int.from_bytes(self.buffer[:4], "big")
        if size > MAX_MESSAGE:
            log.warning("a local connection sent a message of %d bytes; dropped", size)
            self.socket.abort()
            return
        if len(self.buffer) < 4 + size:
            return
        try:
            paths = decode(self.buffer[4 : 4 + size])
        except ValueError:
            log.warning("a local connection sent a message that is not a list of paths; dropped")
            self.socket.abort()
            return
        self.socket.write(ACK)
        self.socket.flush()
        self.socket.disconnectFromServer()
        log.info("another launch handed over %d path(s)", len(paths))
        self.owner.received.emit(paths)


class SingleInstance(QObject):
    """`start(paths)` either hands `paths` to the instance running on the same data folder (False: this
    launch should end) or makes this the running one (True), after which `received` brings the paths of
    later launches (possibly none: then the window is only brought forward)."""

    received = Signal(list)  # list[Path]

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self.timeout_ms = ANSWER_MS  # how long a running instance has to take the paths
        self.server: QLocalServer | None = None
        self.peers: set[_Peer] = set()  # the connections being read (Python keeps them alive)

    @property
    def listening(self) -> bool:
        return self.server is not None and self.server.isListening()

    def start(self, paths: Sequence[Path] = ()) -> bool:
        """True when this is the first instance (now listening), False when another took `paths`. Raises
        HandOverFailed when another is there but did not answer."""
        for _attempt in range(3):
            if self.hand_over(paths):
                return False
            if self._listen():
                return True
        # Someone kept appearing and vanishing: run without handing over rather than not at all.
        log.warning("could not settle which instance runs on %s; running without", self.name)
        return True

    def hand_over(self, paths: Sequence[Path]) -> bool:
        """Send `paths` to the instance listening; False when none is. It waits in an event loop of its own
        (not in blocking calls, which would hold Python's lock), so both ends can even share a thread."""
        socket = QLocalSocket()
        loop = QEventLoop()
        connected: list[bool] = []
        outcome: list[str] = []

        def finish(result: str) -> None:
            if not outcome:
                outcome.append(result)
                loop.quit()

        def send() -> None:
            connected.append(True)
            socket.write(encode(paths))

        def read_answer() -> None:
            if socket.bytesAvailable() >= 1:
                finish("answered" if bytes(socket.read(1).data()) == ACK else "a wrong answer")

        socket.connected.connect(send)
        socket.readyRead.connect(read_answer)
        socket.errorOccurred.connect(lambda _error: finish(socket.errorString()))
        socket.disconnected.connect(lambda: finish("hung up"))
        QTimer.singleShot(self.timeout_ms, loop, lambda: finish("no answer"))
        socket.connectToServer(self.name)
        if not outcome:
            loop.exec()
        socket.abort()
        if outcome[0] == "answered":
            return True
        if not connected:
            return False  # nobody listens (no socket, or the file a crashed instance left)
        raise HandOverFailed(outcome[0])

    def _answers(self) -> bool:
        socket = QLocalSocket()
        socket.connectToServer(self.name)
        connected = socket.waitForConnected(CONNECT_MS)
        socket.abort()
        return connected

    def _listen(self) -> bool:
        """Listen on the name; False when another instance turned out to be listening already."""
        server = QLocalServer(self)
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        if not server.listen(self.name):
            if server.serverError() != QAbstractSocket.SocketError.AddressInUseError:
                log.warning("cannot listen for later launches: %s", server.errorString())
                server.deleteLater()
                return True  # the app still starts; only the hand-over is missing
            if self._answers():
                server.deleteLater()
                return False
            log.info("removing the socket a crashed instance left behind")
            QLocalServer.removeServer(self.name)
            if not server.listen(self.name):
                log.warning("cannot listen for later launches: %s", server.errorString())
                server.deleteLater()
                return True
        server.newConnection.connect(self._accept)
        self.server = server
        return True

    def _accept(self) -> None:
        assert self.server is not None
        while self.server.hasPendingConnections():
            socket = self.server.nextPendingConnection()
            self.peers.add(_Peer(socket, self))

    def close(self) -> None:
        if self.server is not None:
            self.server.close()  # also removes the socket file
            self.server.deleteLater()
            self.server = None
