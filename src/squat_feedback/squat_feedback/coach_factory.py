"""Builds the coaching chain from settings: knowledge, index (kept in sync), generator.

Shared by feedback_node and the `coach kb` / `coach ask` commands, so both answer the same way.
A Qdrant server that does not answer falls back to the embedded index, an LLM backend that
cannot be made falls back to the template; each says so once through `warn`. Imports no rclpy.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TypeVar

from qdrant_client import QdrantClient

from squat_feedback.chat_models import ChatModelUnavailable, chat_model
from squat_feedback.coach_chain import CoachChain
from squat_feedback.embeddings import DENSE_MODEL_ID, Bm25SparseEmbeddings, MiniLmEmbeddings
from squat_feedback.knowledge_base import default_knowledge_dir, load_knowledge
from squat_feedback.knowledge_index import (
    COLLECTION,
    KnowledgeIndex,
    SyncReport,
    default_index_path,
    open_client,
)
from squat_feedback.question_screen import DEFAULT_MAX_CHARS

T = TypeVar("T")


@dataclass
class FeedbackSettings:
    """Where the knowledge and the index are, and which generator answers."""

    knowledge_dir: Path = field(default_factory=default_knowledge_dir)
    qdrant_path: Path = field(default_factory=default_index_path)
    qdrant_url: str = ""
    collection: str = COLLECTION
    generator: str = "template"
    llm_base_url: str = ""
    llm_model: str = ""
    llm_api_key_env: str = "OPENAI_API_KEY"
    llm_timeout_s: float = 10.0
    top_k: int = 3
    max_question_chars: int = DEFAULT_MAX_CHARS
    max_answer_chars: int = 600


@dataclass
class Coach:
    """A ready chain and what it runs on."""

    chain: CoachChain
    client: QdrantClient
    index_description: str
    sync: SyncReport

    def close(self) -> None:
        self.client.close()


def build_coach(settings: FeedbackSettings, warn: Callable[[str], None] = lambda _: None
                ) -> Coach:
    """Load the knowledge, open and sync the index, make the generator."""
    documents = load_knowledge(settings.knowledge_dir)
    client, description = open_client(settings.qdrant_path, settings.qdrant_url, warn=warn)
    index = KnowledgeIndex(client, MiniLmEmbeddings(), Bm25SparseEmbeddings(), DENSE_MODEL_ID,
                           settings.collection)
    report = index.sync(documents)
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
                       settings.max_answer_chars, settings.top_k, warn)
    return Coach(chain, client, description, report)


class ResilientCoach:
    """A Coach that outlives its index: when a call fails inside the index (a Qdrant server
    gone mid-session, a broken client), it says so once and carries on with a fresh embedded
    index."""

    def __init__(self, settings: FeedbackSettings,
                 warn: Callable[[str], None] = lambda _: None) -> None:
        self._settings, self._warn = settings, warn
        self.coach = build_coach(settings, warn)

    def run(self, call: Callable[[CoachChain], T]) -> T:
        """`call` on the chain; once more on a rebuilt embedded index if the index failed."""
        try:
            return call(self.coach.chain)
        except Exception as error:  # qdrant-client's transport errors share no base class
            self._warn(f"the index failed ({type(error).__name__}: {error}); continuing with "
                       f"the embedded index in {self._settings.qdrant_path}")
        try:
            self.coach.close()
        except Exception as error:  # a dead server may not even close cleanly
            self._warn(f"closing the failed index: {error}")
        self._settings = replace(self._settings, qdrant_url="")
        self.coach = build_coach(self._settings, self._warn)
        return call(self.coach.chain)

    def close(self) -> None:
        self.coach.close()
