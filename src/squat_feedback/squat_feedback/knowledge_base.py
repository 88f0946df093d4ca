"""The fitness knowledge base: Markdown documents with YAML front matter, checked and chunked.

Each document has front matter (id, title, topics, faults, keywords_ko, references) and `##`
sections; every section becomes one chunk for the index. Korean keywords go into each chunk's
text so Korean questions find the document through the sparse (BM25) half of the search.
Imports no rclpy.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from squat_common.names import FAULT_CODES

REQUIRED = ("id", "title", "topics", "faults", "references")
# Bump when the chunk text changes shape, so every chunk is re-embedded.
CHUNK_FORMAT = "2"


class KnowledgeError(ValueError):
    """A knowledge document that cannot be used, with its file and the reason."""


@dataclass(frozen=True)
class KnowledgeDocument:
    """One document of the knowledge base."""

    id: str
    title: str
    topics: tuple[str, ...]
    faults: tuple[str, ...]
    keywords_ko: tuple[str, ...]
    references: tuple[str, ...]
    sections: tuple[tuple[str, str], ...]  # (heading, text) in document order
    path: Path

    def section(self, heading: str) -> str:
        """The text under `## heading` (empty when the document has no such section)."""
        return next((text for name, text in self.sections if name.lower() == heading.lower()),
                    "")


@dataclass(frozen=True)
class Chunk:
    """One section of a document, as indexed."""

    key: str  # "<doc id>#<section>"
    text: str
    metadata: dict

    @property
    def content_hash(self) -> str:
        return self.metadata["content_hash"]


def default_knowledge_dir() -> Path:
    """knowledge/ as installed (share/squat_feedback) or in the source tree."""
    try:
        from ament_index_python.packages import get_package_share_directory

        return Path(get_package_share_directory("squat_feedback")) / "knowledge"
    except (ImportError, LookupError, OSError):
        return Path(__file__).resolve().parents[1] / "knowledge"


def _front_matter(path: Path) -> tuple[dict, str]:
    text = path.read_text(encoding="utf-8")
    match = re.match(r"^---\n(.*?)\n---\n(.*)$", text, re.DOTALL)
    if not match:
        raise KnowledgeError(f"{path.name}: no front matter between '---' lines")
    try:
        meta = yaml.safe_load(match.group(1)) or {}
    except yaml.YAMLError as error:
        raise KnowledgeError(f"{path.name}: front matter is not YAML: {error}") from error
    return meta, match.group(2)


def parse_document(path: Path) -> KnowledgeDocument:
    """One document; KnowledgeError names the file and what is wrong."""
    meta, body = _front_matter(path)
    missing = [key for key in REQUIRED if key not in meta]
    if missing:
        raise KnowledgeError(f"{path.name}: front matter lacks {', '.join(missing)}")
    unknown = [f for f in meta["faults"] or [] if f not in FAULT_CODES]
    if unknown:
        raise KnowledgeError(f"{path.name}: unknown fault ids {unknown}")
    if not meta["references"]:
        raise KnowledgeError(f"{path.name}: no references")
    parts = re.split(r"^## +(.+)$", body, flags=re.MULTILINE)
    sections = tuple((heading.strip(), text.strip())
                     for heading, text in zip(parts[1::2], parts[2::2], strict=True))
    if not sections or sections[0][0] != "Summary":
        raise KnowledgeError(f"{path.name}: the first section must be '## Summary'")
    return KnowledgeDocument(
        id=str(meta["id"]), title=str(meta["title"]),
        topics=tuple(map(str, meta["topics"] or [])), faults=tuple(meta["faults"] or []),
        keywords_ko=tuple(map(str, meta.get("keywords_ko") or [])),
        references=tuple(map(str, meta["references"])), sections=sections, path=path)


def load_knowledge(folder: Path) -> list[KnowledgeDocument]:
    """Every document of `folder` (*.md), sorted by id; ids must be unique."""
    if not folder.is_dir():
        raise KnowledgeError(f"knowledge folder {folder} does not exist")
    documents = sorted((parse_document(p) for p in folder.glob("*.md")), key=lambda d: d.id)
    seen: dict[str, Path] = {}
    for document in documents:
        if document.id in seen:
            raise KnowledgeError(f"id {document.id} is used by {seen[document.id].name} and "
                                 f"{document.path.name}")
        seen[document.id] = document.path
    if not documents:
        raise KnowledgeError(f"knowledge folder {folder} holds no .md documents")
    return documents


def chunks(document: KnowledgeDocument, embedding_id: str) -> list[Chunk]:
    """The chunks of a document: one per section, with the title and Korean keywords."""
    found = []
    korean = f"\n{' · '.join(document.keywords_ko)}" if document.keywords_ko else ""
    for heading, text in document.sections:
        body = f"{document.title}: {heading}\n{text}{korean}"
        digest = hashlib.sha256(f"{CHUNK_FORMAT}|{embedding_id}|{body}".encode()).hexdigest()
        found.append(Chunk(
            key=f"{document.id}#{heading.lower().replace(' ', '-')}",
            text=body,
            metadata={"doc_id": document.id, "title": document.title, "section": heading,
                      "topics": list(document.topics), "faults": list(document.faults),
                      "content_hash": digest}))
    return found
