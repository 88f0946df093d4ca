"""A real TCP server on loopback that accepts connections and never answers: a server that
hangs (a Qdrant or LLM server stuck mid-request looks like this from the client)."""

from __future__ import annotations

import socket
import threading


class HungServer:
    """Start on an ephemeral port; `url` is its http URL; `connections` counts accepts."""

    def __init__(self) -> None:
        self._socket = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._socket.getsockname()[1]}"
        self.connections = 0
        self._held: list[socket.socket] = []
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self._socket.accept()
            except OSError:
                return  # closed
            self.connections += 1
            self._held.append(connection)  # kept open, never read from or written to

    def close(self) -> None:
        self._socket.close()
        for connection in self._held:
            connection.close()
