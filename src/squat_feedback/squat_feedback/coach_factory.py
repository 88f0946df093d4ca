"""Builds the coaching chain from settings: knowledge, index (kept in sync), generator.

Shared by feedback_node and the `coach kb` / `coach ask` commands, so both answer the same way.
A Qdrant server that does not answer falls back to the embedded index, an LLM backend that
cannot be made falls back to the template; each says so once through `warn`. Imports no rclpy.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TypeVar

from qdrant_client import QdrantClient

from squat_feedback.chat_models import ChatModelUnavailable, chat_model
from squat_feedback.circuit_breaker import CircuitBreaker
from squat_feedback.coach_chain import CoachChain
from squat_feedback.embeddings import DENSE_MODEL_ID, Bm25SparseEmbeddings, MiniLmEmbeddings
from squat_feedback.feedback_settings import FeedbackSettings, min_relevance
from squat_feedback.knowledge_base import load_knowledge
from squat_feedback.knowledge_index import (
    IndexUnavailable,
    KnowledgeIndex,
    SyncReport,
    SyncStopped,
    answering_server,
    open_client,
    server_description,
)

T = TypeVar("T")


@dataclass
class Coach:
    """A ready chain and what it runs on."""

    chain: CoachChain
    client: QdrantClient
    index_description: str
    sync: SyncReport

    def close(self) -> None:
        self.client.close()


def build_coach(settings: FeedbackSettings, warn: Callable[[str], None] = lambda _: None,
                stopping: Callable[[], bool] = lambda: False) -> Coach:
    """Load the knowledge, open and sync the index, make the generator; SyncStopped if
    `stopping()` turns true while the index is being embedded."""
    client, description = open_client(settings.qdrant_path, settings.qdrant_url, warn=warn)
    return _coach_on(client, description, settings, warn, stopping)


def _coach_on(client: QdrantClient, description: str, settings: FeedbackSettings,
              warn: Callable[[str], None], stopping: Callable[[], bool]) -> Coach:
    documents = load_knowledge(settings.knowledge_dir)
    index = KnowledgeIndex(client, MiniLmEmbeddings(), Bm25SparseEmbeddings(), DENSE_MODEL_ID,
                           settings.collection)
    try:
        report = index.sync(documents, stopping)
    except (sqlite3.Error, OSError) as error:  # embedded Qdrant keeps its points in SQLite
        client.close()
        raise IndexUnavailable(f"cannot write the index ({description}): {error}; free "
                               "space there, or give another qdrant_path") from error
    except SyncStopped:
        client.close()  # the embedded folder is free for the next run, which resumes
        raise
    model = None
    name = settings.llm_model or settings.generator
    try:
        # Four to six characters a token: no room to run past the answer limit.
        model = chat_model(settings.generator, settings.llm_base_url, settings.llm_model,
                           settings.llm_api_key_env, settings.llm_timeout_s,
                           max_tokens=min(settings.max_answer_chars // 6, 64))
    except ChatModelUnavailable as error:
        warn(f"generator {settings.generator} unavailable ({error}); the template answers")
    chain = CoachChain(index, documents, model, name, settings.max_question_chars,
                       settings.max_answer_chars, settings.top_k, min_relevance(settings), warn)
    return Coach(chain, client, description, report)


def index_connection_lost(error: BaseException, client: QdrantClient) -> bool:
    """Whether `error` says the index's connection is gone (a server unreachable or hung, a
    client closed under us), as opposed to a bug or bad input that a new index would not fix.
    qdrant-client's transport errors share no base class, hence the list."""
    import httpx
    from qdrant_client.http.exceptions import ResponseHandlingException, UnexpectedResponse

    transport: tuple[type[BaseException], ...] = (
        ResponseHandlingException, UnexpectedResponse, httpx.TransportError, ConnectionError,
        TimeoutError)
    try:
        import grpc

        transport += (grpc.RpcError,)
    except ImportError:
        pass
    if isinstance(error, transport):
        return True
    local = getattr(client, "_client", None)
    return isinstance(error, RuntimeError) and bool(getattr(local, "closed", False))


class ResilientCoach:
    """A Coach that outlives its index's connection. When the Qdrant server it was given does
    not answer (at start, or mid-session: unreachable, hung, gone), it says so once and carries
    on with the embedded index at once; the server is then skipped for a back-off period that
    doubles while it stays down, after which a call starts one probe in the background. When
    the server answers a probe, the coach moves back to it. Any other error is the caller's.
    Once `stopping()` is true, an index being embedded (at start, a rebuild, a probe) stops
    after its current batch with SyncStopped."""

    def __init__(self, settings: FeedbackSettings,
                 warn: Callable[[str], None] = lambda _: None,
                 breaker: CircuitBreaker | None = None,
                 stopping: Callable[[], bool] = lambda: False) -> None:
        self._settings, self._warn, self._stopping = settings, warn, stopping
        self._breaker = breaker or CircuitBreaker()
        self._lock = threading.Lock()
        self._probe: threading.Thread | None = None
        # Why the configured server is not in use ('' when it is, or none was configured).
        self.fallback_reason = ""
        self.coach = build_coach(settings, warn, stopping)
        if settings.qdrant_url and self.coach.index_description != server_description(
                settings.qdrant_url):
            self._fell_back(f"Qdrant server {settings.qdrant_url} not reachable at start")

    def _fell_back(self, reason: str) -> None:
        backoff = self._breaker.failed()
        self.fallback_reason = (f"{reason}; the embedded index answers, the server is tried "
                                f"again in {backoff:.0f} s")

    def run(self, call: Callable[[CoachChain], T]) -> T:
        """`call` on the chain; once more on a rebuilt embedded index if the index failed."""
        self._maybe_probe()
        coach = self.coach
        try:
            return call(coach.chain)
        except Exception as error:
            if not index_connection_lost(error, coach.client):
                raise
            with self._lock:
                if self.coach is coach:  # not already replaced by another caller
                    self._replace_with_embedded(error)
        return call(self.coach.chain)

    def _replace_with_embedded(self, error: BaseException) -> None:
        self._warn(f"the index failed ({type(error).__name__}: {error}); continuing with the "
                   f"embedded index in {self._settings.qdrant_path}")
        try:
            self.coach.close()
        except Exception as closing:  # a dead server may not even close cleanly
            self._warn(f"closing the failed index: {closing}")
        self.coach = build_coach(replace(self._settings, qdrant_url=""), self._warn,
                                 self._stopping)
        if self._settings.qdrant_url:
            self._fell_back(f"Qdrant server {self._settings.qdrant_url} failed "
                            f"({type(error).__name__})")

    def _maybe_probe(self) -> None:
        """Start one background probe of the configured server when its back-off is over."""
        if not self.fallback_reason or not self._breaker.allow():
            return
        self._probe = threading.Thread(target=self._try_server, name="qdrant-probe",
                                       daemon=True)
        self._probe.start()

    def _try_server(self) -> None:
        url = self._settings.qdrant_url
        try:
            client = answering_server(url)
            # The server answers: the same index as at start, on it (kept in sync there).
            server = _coach_on(client, server_description(url), self._settings, self._warn,
                               self._stopping)
        except SyncStopped:
            return
        except Exception as error:  # every transport error means "still down"
            backoff = self._breaker.failed()
            self.fallback_reason = (f"Qdrant server {url} still not answering "
                                    f"({type(error).__name__}); the embedded index answers, "
                                    f"tried again in {backoff:.0f} s")
            return
        with self._lock:
            embedded, self.coach = self.coach, server
            self.fallback_reason = ""
        self._breaker.succeeded()
        embedded.close()
        self._warn(f"Qdrant server {url} answers again: using it")

    def wait_for_probe(self, timeout_s: float = 30.0) -> None:
        """Wait for a probe in progress (for an orderly close, and for tests)."""
        if self._probe is not None:
            self._probe.join(timeout_s)

    def close(self) -> None:
        self.wait_for_probe()
        self.coach.close()
