"""What feedback_node and `coach kb` / `coach ask` are configured with: the knowledge, the index,
the generator, the thresholds. Kept apart from what builds the coach (coach_factory) so a
command line can offer these defaults without importing the index and LLM libraries (~3 s).
Imports no rclpy.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from squat_common.settings import setting
from squat_feedback.knowledge_base import default_knowledge_dir
from squat_feedback.question_screen import DEFAULT_MAX_CHARS

GENERATORS = ("template", "openai", "ollama", "llamacpp")
COLLECTION = "squat_knowledge"


def default_index_path() -> Path:
    """Embedded Qdrant's folder under the user's data dir ($XDG_DATA_HOME or ~/.local/share)."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "squat_coach" / "qdrant"


@dataclass(frozen=True)
class FeedbackSettings:
    """Where the knowledge and the index are, and which generator answers; each field is a
    feedback_node parameter (fixed at start: the index and the generator are built from
    them), and `coach kb` / `coach ask` use the same defaults."""

    knowledge_dir: Path = setting(
        description="Folder of the knowledge-base Markdown documents.",
        default_factory=default_knowledge_dir, decode=Path, encode=str, read_only=True)
    qdrant_path: Path = setting(
        description="Embedded Qdrant folder (one process owns it).",
        default_factory=default_index_path, decode=Path, encode=str, read_only=True)
    qdrant_url: str = setting(
        "", "A Qdrant server instead of the embedded index (API key from $QDRANT_API_KEY); "
        "if it does not answer, the embedded index is used.", read_only=True)
    collection: str = COLLECTION
    generator: str = setting("template", "Who writes the answers.", choices=GENERATORS,
                             read_only=True)
    llm_base_url: str = setting("", "URL of the OpenAI-compatible or Ollama server.",
                                read_only=True)
    llm_model: str = setting(
        "", "Model name on the server; for llamacpp, a GGUF path (default SmolLM2).",
        read_only=True)
    llm_api_key_env: str = setting(
        "OPENAI_API_KEY", "Environment variable holding the LLM server's API key.",
        read_only=True)
    llm_timeout_s: float = setting(10.0, "Time to wait for the LLM before the template "
                                   "answers.", unit="s", low=0.1, high=300.0, read_only=True)
    top_k: int = setting(3, "Documents retrieved per question.", low=1, high=20)
    max_question_chars: int = setting(DEFAULT_MAX_CHARS, "Longest question answered.",
                                      unit="characters", low=10, high=10000)
    min_relevance_en: float = setting(
        0.42, "English questions scoring below this relevance to the knowledge base are "
        "off-topic and answered 'I only coach the squat' (0: never).", low=0.0, high=1.0)
    min_relevance_ko: float = setting(
        0.636, "The same for Korean questions (their score is made differently: "
        "topic_relevance.py).", low=0.0, high=1.0)
    max_answer_chars: int = setting(600, "Longest LLM answer accepted (also sets the LLM's "
                                    "token budget).", unit="characters", low=100, high=10000,
                                    read_only=True)


def min_relevance(settings: FeedbackSettings) -> dict[str, float]:
    """The off-topic threshold of each language."""
    return {"en": settings.min_relevance_en, "ko": settings.min_relevance_ko}
