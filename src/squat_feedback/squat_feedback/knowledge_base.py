"""The fitness knowledge base: Markdown documents with YAML front matter, checked and chunked.

Each document has front matter (id, title, topics, faults, references; optional keywords, the
search terms a reader would use) and `##` sections; every section becomes one chunk for the
index. English documents are `knowledge/<id>.md`; each has its Korean version in
`knowledge/ko/<id>.md` with `id: <id>-ko`, `language: ko` and `translation_of: <id>`, written as
a coach says it in Korean (not word for word), with the same faults and references. A
translation's topics are its own search terms; what the code reasons with (topics, faults) is
the English document's. Imports no rclpy.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, replace
from pathlib import Path

import yaml

from squat_common.names import FAULT_CODES
from squat_feedback.language import LANGUAGES

REQUIRED = ("id", "title", "topics", "faults", "references")
# The headings the code reads (the summary first in every document), in each language.
SECTION_HEADINGS = {"en": {"Summary": "Summary", "Cues": "Cues", "Drills": "Drills"},
                    "ko": {"Summary": "요약", "Cues": "큐", "Drills": "드릴"}}
# Bump when the chunk text changes shape, so every chunk is re-embedded.
CHUNK_FORMAT = "3"


class KnowledgeError(ValueError):
    """A knowledge document that cannot be used, with its file and the reason."""


@dataclass(frozen=True)
class KnowledgeDocument:
    """One document of the knowledge base."""

    id: str
    title: str
    topics: tuple[str, ...]
    faults: tuple[str, ...]
    keywords: tuple[str, ...]
    references: tuple[str, ...]
    sections: tuple[tuple[str, str], ...]  # (heading, text) in document order
    path: Path
    language: str = "en"
    translation_of: str = ""  # the English document's id, for a translation

    @property
    def english_id(self) -> str:
        """The id of the English version (this document's own when it is English)."""
        return self.translation_of or self.id

    def section(self, heading: str) -> str:
        """The text under `## heading` (empty when the document has no such section); the
        headings of SECTION_HEADINGS are given in English and found in the document's
        language."""
        wanted = SECTION_HEADINGS[self.language].get(heading, heading).lower()
        return next((text for name, text in self.sections if name.lower() == wanted), "")


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
    language = str(meta.get("language", "en"))
    if language not in LANGUAGES:
        raise KnowledgeError(f"{path.name}: language {language!r} is not one of "
                             f"{', '.join(LANGUAGES)}")
    if language != "en" and not meta.get("translation_of"):
        raise KnowledgeError(f"{path.name}: a {language} document names its English one in "
                             "translation_of")
    parts = re.split(r"^## +(.+)$", body, flags=re.MULTILINE)
    sections = tuple((heading.strip(), text.strip())
                     for heading, text in zip(parts[1::2], parts[2::2], strict=True))
    summary = SECTION_HEADINGS[language]["Summary"]
    if not sections or sections[0][0] != summary:
        raise KnowledgeError(f"{path.name}: the first section must be '## {summary}'")
    return KnowledgeDocument(
        id=str(meta["id"]), title=str(meta["title"]),
        topics=tuple(map(str, meta["topics"] or [])), faults=tuple(meta["faults"] or []),
        keywords=tuple(map(str, meta.get("keywords") or [])),
        references=tuple(map(str, meta["references"])), sections=sections, path=path,
        language=language, translation_of=str(meta.get("translation_of") or ""))


def _with_english_topics(translation: KnowledgeDocument,
                         english: dict[str, KnowledgeDocument]) -> KnowledgeDocument:
    """A translation checked against its English document, which lends it its topics."""
    name = translation.path.name
    original = english.get(translation.translation_of)
    if original is None:
        raise KnowledgeError(f"{name}: translation_of names {translation.translation_of!r}, "
                             "which is not an English document")
    if set(translation.faults) != set(original.faults):
        raise KnowledgeError(f"{name}: faults {list(translation.faults)} differ from "
                             f"{original.id}'s {list(original.faults)}")
    if set(translation.references) != set(original.references):
        raise KnowledgeError(f"{name}: references differ from {original.id}'s")
    return replace(translation, topics=original.topics,
                   keywords=translation.keywords + translation.topics)


def load_knowledge(folder: Path) -> list[KnowledgeDocument]:
    """Every document of `folder` (*.md, translations in a folder per language), sorted by id;
    ids must be unique and each translation must match its English document."""
    if not folder.is_dir():
        raise KnowledgeError(f"knowledge folder {folder} does not exist")
    parsed = [parse_document(p) for p in
              [*folder.glob("*.md"), *(p for lang in LANGUAGES for p in (folder / lang).glob(
                  "*.md"))]]
    english = {d.id: d for d in parsed if d.language == "en"}
    documents = sorted((d if d.language == "en" else _with_english_topics(d, english)
                        for d in parsed), key=lambda d: d.id)
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
    """The chunks of a document: one per section, with the title and the keywords."""
    found = []
    keywords = f"\n{' · '.join(document.keywords)}" if document.keywords else ""
    for heading, text in document.sections:
        body = f"{document.title}: {heading}\n{text}{keywords}"
        digest = hashlib.sha256(f"{CHUNK_FORMAT}|{embedding_id}|{body}".encode()).hexdigest()
        found.append(Chunk(
            key=f"{document.id}#{heading.lower().replace(' ', '-')}",
            text=body,
            metadata={"doc_id": document.id, "language": document.language,
                      "title": document.title, "section": heading,
                      "topics": list(document.topics), "faults": list(document.faults),
                      "content_hash": digest}))
    return found
