"""Screens free questions before they reach retrieval or a model: empty, too long, or trying to
override the coach's instructions. Imports no rclpy."""

from __future__ import annotations

import re

DEFAULT_MAX_CHARS = 500
EMPTY_ANSWER = ("Ask me about your squat: technique, a fault squat coach flagged, mobility, "
                "tempo, breathing or safety.")
OFF_LIMITS_ANSWER = ("I can only answer questions about squat technique and training from the "
                     "squat coach knowledge base, and my instructions stay as they are. Ask me "
                     "about your squat.")
# Phrases that try to replace or reveal the system prompt (English and Korean).
INJECTION = re.compile(
    r"ignore\s+(all\s+|any\s+|the\s+|your\s+)?(previous|prior|above|earlier)\s+"
    r"(instructions|prompts?|rules)"
    r"|disregard\s+(all|any|the|your|previous)"
    r"|forget\s+(all|your|previous)\s+(instructions|rules)"
    r"|system\s+prompt|developer\s+mode|jailbreak"
    r"|you\s+are\s+now\s|pretend\s+(to\s+be|you\s+are)|act\s+as\s+(a|an|my)\s"
    r"|reveal\s+(your|the)\s+(instructions|prompt)"
    r"|이전\s*지시|시스템\s*프롬프트|지시를?\s*무시|명령을?\s*무시",
    re.IGNORECASE)


def screen_question(question: str, max_chars: int = DEFAULT_MAX_CHARS) -> str | None:
    """None when the question may be answered; otherwise the safe answer to give instead."""
    text = question.strip()
    if not text:
        return EMPTY_ANSWER
    if len(text) > max_chars:
        return (f"That question is {len(text)} characters long; please ask in at most "
                f"{max_chars}.")
    if INJECTION.search(text):
        return OFF_LIMITS_ANSWER
    return None


# Words of pain or injury: such questions are answered from the safety document first.
PAIN = re.compile(r"\b(pain|painful|hurts?|hurting|ache|aching|injur(y|ed|ies)|sharp)\b"
                  r"|아파|아프|통증|부상|다쳤|다친", re.IGNORECASE)


def mentions_pain(question: str) -> bool:
    """Whether a question speaks of pain or injury (English or Korean)."""
    return PAIN.search(question) is not None


def readable_text(text: str) -> str:
    """`text` with what is not Unicode replaced by U+FFFD: bytes that are not UTF-8 (from a
    terminal or a file) reach Python as lone surrogates, which no tokenizer takes."""
    return text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
