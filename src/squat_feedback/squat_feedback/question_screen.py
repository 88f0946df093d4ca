"""Screens free questions before they reach retrieval or a model: empty, too long, or trying to
override the coach's instructions. Imports no rclpy."""

from __future__ import annotations

import re

from squat_feedback.wording import ENGLISH, Wording

DEFAULT_MAX_CHARS = 500
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


def screen_question(question: str, max_chars: int = DEFAULT_MAX_CHARS,
                    words: Wording = ENGLISH) -> str | None:
    """None when the question may be answered; otherwise the safe answer to give instead, in
    the language of `words`."""
    text = question.strip()
    if not text:
        return words.empty_question
    if len(text) > max_chars:
        return words.too_long.format(length=len(text), limit=max_chars)
    if INJECTION.search(text):
        return words.off_limits
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
