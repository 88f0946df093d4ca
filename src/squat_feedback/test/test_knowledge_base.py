"""The knowledge base documents and their loader (no index, no model)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from squat_common.names import FAULT_CODES
from squat_feedback.knowledge_base import (
    KnowledgeError,
    chunks,
    load_knowledge,
    parse_document,
)

KNOWLEDGE = Path(__file__).resolve().parents[1] / "knowledge"


def test_at_least_30_documents_with_references_and_a_summary():
    documents = load_knowledge(KNOWLEDGE)
    assert len([d for d in documents if d.language == "en"]) >= 30
    for document in documents:
        assert document.references, document.id
        assert document.section("Summary") == document.sections[0][1]
        assert document.path.stem == document.english_id, "file named after its id"


def test_every_document_has_its_korean_version_with_the_same_shape():
    documents = load_knowledge(KNOWLEDGE)
    english = {d.id: d for d in documents if d.language == "en"}
    korean = {d.translation_of: d for d in documents if d.language == "ko"}
    assert set(korean) == set(english)
    for original_id, translation in korean.items():
        original = english[original_id]
        assert translation.id == f"{original_id}-ko"
        assert translation.path.parent.name == "ko"
        assert len(translation.sections) == len(original.sections), original_id
        for heading in ("Cues", "Drills"):
            assert bool(translation.section(heading)) == bool(original.section(heading))
        assert translation.topics == original.topics and translation.keywords
        hangul = sum("\uac00" <= c <= "\ud7a3" for c in translation.section("Summary"))
        assert hangul > 40, f"{translation.id}: the summary is Korean text"


@pytest.mark.parametrize("change, reason", [
    (("translation_of: breathing", "translation_of: nothing"), "not an English document"),
    (("faults: []", "faults: [heel_lift]"), "faults \\['heel_lift'\\] differ"),
    (("language: ko", "language: fr"), "language 'fr' is not one of"),
    (("## 요약", "## Summary"), "first section must be '## 요약'"),
])
def test_a_translation_that_does_not_match_its_english_document_is_refused(tmp_path, change,
                                                                           reason):
    shutil.copy(KNOWLEDGE / "breathing.md", tmp_path / "breathing.md")
    (tmp_path / "ko").mkdir()
    korean = (KNOWLEDGE / "ko" / "breathing.md").read_text()
    assert change[0] in korean
    (tmp_path / "ko" / "breathing.md").write_text(korean.replace(*change, 1))
    with pytest.raises(KnowledgeError, match=reason):
        load_knowledge(tmp_path)


def test_every_fault_the_pose_package_reports_has_its_own_document():
    documents = [d for d in load_knowledge(KNOWLEDGE) if d.language == "en"]
    own = {d.faults[0] for d in documents if "fault" in d.topics and len(d.faults) == 1}
    assert own == set(FAULT_CODES)
    for document in documents:
        if "fault" in document.topics:
            for heading in ("What it looks like", "Likely causes", "Cues", "Drills",
                            "Regressions"):
                assert document.section(heading), f"{document.id} lacks {heading}"


def test_the_topics_the_issue_asks_for_are_covered():
    topics = {t for d in load_knowledge(KNOWLEDGE) for t in d.topics}
    assert {"technique", "mobility", "tempo", "breathing", "safety", "variation"} <= topics


def write(folder: Path, name: str, front: str, body: str = "## Summary\nText.\n") -> Path:
    path = folder / name
    path.write_text(f"---\n{front}\n---\n{body}")
    return path


@pytest.mark.parametrize("front, body, reason", [
    ("id: a\ntitle: A\ntopics: []\nfaults: []", "## Summary\nx\n", "lacks references"),
    ("id: a\ntitle: A\ntopics: []\nfaults: [wobble]\nreferences: [r]", "## Summary\nx\n",
     "unknown fault ids"),
    ("id: a\ntitle: A\ntopics: []\nfaults: []\nreferences: [r]", "## Cues\nx\n",
     "first section must be '## Summary'"),
    ("id: [a\n", "## Summary\nx\n", "not YAML"),
])
def test_a_bad_document_is_refused_with_its_file_and_reason(tmp_path, front, body, reason):
    path = write(tmp_path, "bad.md", front, body)
    with pytest.raises(KnowledgeError, match=reason):
        parse_document(path)


def test_duplicate_ids_are_refused(tmp_path):
    for name in ("one.md", "two.md"):
        write(tmp_path, name, "id: same\ntitle: T\ntopics: []\nfaults: []\nreferences: [r]")
    with pytest.raises(KnowledgeError, match="id same is used by"):
        load_knowledge(tmp_path)


def test_a_chunk_hash_changes_with_its_text_and_with_the_embedding_model(tmp_path):
    shutil.copy(KNOWLEDGE / "breathing.md", tmp_path / "breathing.md")
    document = load_knowledge(tmp_path)[0]
    first = {c.key: c.content_hash for c in chunks(document, "model-a")}
    assert first == {c.key: c.content_hash for c in chunks(document, "model-a")}
    assert first != {c.key: c.content_hash for c in chunks(document, "model-b")}
    path = tmp_path / "breathing.md"
    path.write_text(path.read_text().replace("Take a new breath", "Take one new breath"))
    changed = {c.key: c.content_hash for c in chunks(load_knowledge(tmp_path)[0], "model-a")}
    assert [k for k in first if first[k] != changed[k]] == ["breathing#summary"]
