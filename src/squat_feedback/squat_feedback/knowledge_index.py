"""The knowledge base in Qdrant through LangChain: hybrid (dense + BM25) search, kept in sync.

Embedded Qdrant on disk by default (one process owns the folder at a time); a Qdrant server by
URL with the same code. `sync` re-embeds only chunks whose content hash changed and removes
chunks that no longer exist. Imports no rclpy.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings
from langchain_qdrant import QdrantVectorStore, RetrievalMode, SparseEmbeddings
from qdrant_client import QdrantClient, models

from squat_feedback.embeddings import DENSE_DIM
from squat_feedback.feedback_settings import COLLECTION, default_index_path
from squat_feedback.knowledge_base import Chunk, KnowledgeDocument, chunks
from squat_feedback.language import detect_language
from squat_feedback.question_screen import readable_text
from squat_feedback.topic_relevance import TermStatistics, relevance

DENSE, SPARSE = "dense", "sparse"
API_KEY_ENV = "QDRANT_API_KEY"
# A live server answers in milliseconds; a hung one costs this much, once per back-off.
SERVER_TIMEOUT_S = 3.0
POINT_NAMESPACE = uuid.UUID("6c1b4a52-3f0e-4c59-9a43-5b2f6f0a9d11")
# Chunks embedded and written at a time (~0.6 s of the dense model on one core): a sync that is
# told to stop does so after one batch, and what it wrote stays for the next sync.
SYNC_BATCH = 16


class IndexUnavailable(RuntimeError):
    """The index cannot be opened (folder owned by another process, server down, ...)."""


class SyncStopped(RuntimeError):
    """A sync was told to stop; the batches it wrote stay and the next sync embeds the rest."""


def _in_language(language: str) -> models.Filter:
    return models.Filter(must=[models.FieldCondition(
        key="metadata.language", match=models.MatchValue(value=language))])


@dataclass(frozen=True)
class SearchHit:
    """A document found for a query, with its best-matching section."""

    id: str
    title: str
    score: float
    faults: list[str]
    topics: list[str]
    section: str
    text: str

    def as_json(self) -> dict:
        return {"id": self.id, "title": self.title, "score": round(self.score, 4),
                "faults": self.faults, "topics": self.topics}


@dataclass(frozen=True)
class SyncReport:
    """What a sync changed."""

    added: int
    updated: int
    removed: int
    unchanged: int
    seconds: float


def answering_server(url: str, api_key: str | None = None) -> QdrantClient:
    """A client of the Qdrant server at `url` that has just answered (its collections were
    listed); the client's transport error when it does not answer in SERVER_TIMEOUT_S."""
    client = QdrantClient(url=url, api_key=api_key or os.environ.get(API_KEY_ENV),
                          timeout=SERVER_TIMEOUT_S)
    try:
        client.get_collections()
    except Exception:
        client.close()
        raise
    return client


def server_description(url: str) -> str:
    """How a Qdrant server in use is named (diagnostics, logs)."""
    return f"Qdrant server {url}"


def open_client(path: Path | None = None, url: str = "", api_key: str | None = None,
                warn: Callable[[str], None] = lambda _: None) -> tuple[QdrantClient, str]:
    """A Qdrant client and what it talks to. With `url`: that server (API key from `api_key` or
    $QDRANT_API_KEY); if it does not answer, `warn` says so and the embedded index is used."""
    if url:
        try:
            return answering_server(url, api_key), server_description(url)
        except Exception as error:  # the client raises several transport errors
            warn(f"Qdrant server {url} is not reachable ({type(error).__name__}: {error}); "
                 "using the embedded index instead")
    folder = path or default_index_path()
    folder.mkdir(parents=True, exist_ok=True)
    try:
        return QdrantClient(path=str(folder)), f"embedded Qdrant {folder}"
    except RuntimeError as error:
        raise IndexUnavailable(
            f"the embedded index {folder} is in use by another process (embedded Qdrant has "
            "one owner: stop the feedback node, or give both a Qdrant server with "
            "qdrant_url)") from error


class KnowledgeIndex:
    """Hybrid retrieval over the knowledge base's chunks."""

    def __init__(self, client: QdrantClient, dense: Embeddings, sparse: SparseEmbeddings,
                 embedding_id: str, collection: str = COLLECTION) -> None:
        self.client, self.collection, self.embedding_id = client, collection, embedding_id
        if not client.collection_exists(collection):
            client.create_collection(
                collection,
                vectors_config={DENSE: models.VectorParams(size=DENSE_DIM,
                                                           distance=models.Distance.COSINE)},
                sparse_vectors_config={SPARSE: models.SparseVectorParams(
                    modifier=models.Modifier.IDF)})
        self.store = QdrantVectorStore(
            client=client, collection_name=collection, embedding=dense,
            sparse_embedding=sparse, retrieval_mode=RetrievalMode.HYBRID,
            vector_name=DENSE, sparse_vector_name=SPARSE)
        # The dense model knows English only: Korean documents are found by BM25 alone, or
        # the dense half's noise would tie with the right answer.
        self._sparse_store = QdrantVectorStore(
            client=client, collection_name=collection, sparse_embedding=sparse,
            retrieval_mode=RetrievalMode.SPARSE, sparse_vector_name=SPARSE)
        self._dense_store = QdrantVectorStore(
            client=client, collection_name=collection, embedding=dense,
            retrieval_mode=RetrievalMode.DENSE, vector_name=DENSE)
        self._sparse = sparse
        self._terms: TermStatistics | None = None  # read from the index when first needed

    def _indexed_hashes(self) -> dict[str, str]:
        found: dict[str, str] = {}
        offset = None
        while True:
            points, offset = self.client.scroll(self.collection, limit=256, offset=offset,
                                                with_payload=["metadata"], with_vectors=False)
            for point in points:
                found[str(point.id)] = (point.payload or {}).get("metadata", {}).get(
                    "content_hash", "")
            if offset is None:
                return found

    def sync(self, documents: list[KnowledgeDocument],
             stopping: Callable[[], bool] = lambda: False) -> SyncReport:
        """Make the index hold exactly the chunks of `documents`, embedding only what changed;
        SyncStopped between two batches once `stopping()` is true."""
        start = time.perf_counter()
        wanted: dict[str, Chunk] = {}
        for document in documents:
            for chunk in chunks(document, self.embedding_id):
                wanted[str(uuid.uuid5(POINT_NAMESPACE, chunk.key))] = chunk
        indexed = self._indexed_hashes()
        changed = [pid for pid, chunk in wanted.items()
                   if indexed.get(pid) != chunk.content_hash]
        stale = [pid for pid in indexed if pid not in wanted]
        if stale:
            self.client.delete(self.collection, points_selector=models.PointIdsList(
                points=stale))
        for language in {wanted[pid].metadata["language"] for pid in changed}:
            ids = [pid for pid in changed if wanted[pid].metadata["language"] == language]
            # The dense model knows English only: other languages get their sparse vector.
            store = self.store if language == "en" else self._sparse_store
            for first in range(0, len(ids), SYNC_BATCH):
                if stopping():
                    raise SyncStopped(f"stopped with {first} of {len(ids)} '{language}' "
                                      "chunks embedded")
                batch = ids[first:first + SYNC_BATCH]
                store.add_documents(
                    [Document(page_content=wanted[pid].text, metadata=wanted[pid].metadata)
                     for pid in batch], ids=batch)
        added = sum(1 for pid in changed if pid not in indexed)
        self._terms = None
        return SyncReport(added, len(changed) - added, len(stale),
                          len(wanted) - len(changed), time.perf_counter() - start)

    def _term_statistics(self) -> TermStatistics:
        if self._terms is None:
            rows, offset = [], None
            while True:
                points, offset = self.client.scroll(
                    self.collection, limit=256, offset=offset, with_payload=["metadata"],
                    with_vectors=[SPARSE])
                for point in points:
                    meta = (point.payload or {}).get("metadata", {})
                    rows.append((meta.get("language", "en"), meta.get("doc_id", ""),
                                 point.vector[SPARSE].indices))
                if offset is None:
                    break
            self._terms = TermStatistics.of(rows)
        return self._terms

    def relevance(self, query: str, language: str | None = None) -> float:
        """How much `query` is about what the documents in `language` (default: the query's)
        cover: topic_relevance.relevance of its best match and its coverage."""
        query = readable_text(query)
        language = language or detect_language(query)
        store = self._dense_store if language == "en" else self._sparse_store
        best = store.similarity_search_with_score(query, k=1, filter=_in_language(language))
        coverage = self._term_statistics().coverage(self._sparse.embed_query(query).indices,
                                                    language)
        return relevance(best[0][1] if best else 0.0, coverage, language)

    def search(self, query: str, k: int = 5, fault: str | None = None,
               document: str | None = None, language: str | None = None) -> list[SearchHit]:
        """The `k` documents in `language` (default: the query's) that answer `query` best
        (optionally only those about `fault`, or only the sections of one `document`)."""
        query = readable_text(query)
        language = language or detect_language(query)
        conditions = list(_in_language(language).must)
        if fault:
            conditions.append(models.FieldCondition(
                key="metadata.faults", match=models.MatchValue(value=fault)))
        if document:
            conditions.append(models.FieldCondition(
                key="metadata.doc_id", match=models.MatchValue(value=document)))
        store = self.store if language == "en" else self._sparse_store
        found = store.similarity_search_with_score(query, k=4 * k,
                                                   filter=models.Filter(must=conditions))
        hits: dict[str, SearchHit] = {}
        for document, score in found:
            meta = document.metadata
            if meta["doc_id"] not in hits:
                hits[meta["doc_id"]] = SearchHit(
                    meta["doc_id"], meta["title"], float(score), list(meta["faults"]),
                    list(meta["topics"]), meta["section"], document.page_content)
        return sorted(hits.values(), key=lambda h: -h.score)[:k]
