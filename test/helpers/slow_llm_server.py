"""A real OpenAI-compatible HTTP server on loopback that takes its time to answer.

Serves POST /v1/chat/completions with a fixed reply after `delay_s`, so tests see what a node
does while an LLM is busy. A stand-in for an LLM server (no model runs), named as such.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class SlowLlmServer:
    """Start on an ephemeral port; `url` is the base URL (…/v1); `requests` counts calls."""

    def __init__(self, delay_s: float, reply: str = "Keep your knees over your toes.") -> None:
        self.requests = 0
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                self.rfile.read(length)
                server.requests += 1
                time.sleep(delay_s)
                body = json.dumps({
                    "id": "slow", "object": "chat.completion", "created": int(time.time()),
                    "model": "slow-stand-in",
                    "choices": [{"index": 0, "finish_reason": "stop",
                                 "message": {"role": "assistant", "content": reply}}],
                    "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
                }).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self._http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._http.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._http.server_address[1]}/v1"
        self._thread = threading.Thread(target=self._http.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._http.shutdown()
        self._http.server_close()
