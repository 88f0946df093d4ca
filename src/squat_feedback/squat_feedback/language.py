"""Which language a text is in, as far as the coach needs to know: Korean or English.

Korean is written in Hangul, so the script decides, word by word: a Korean question that uses
an English term ("knee valgus가 뭔가요?") is Korean, an English one quoting a Korean word ("What
does 무릎 mean?") English; half and half goes to Korean, whose speakers mix in English terms.
Imports no rclpy.
"""

from __future__ import annotations

import os
import re

LANGUAGES = ("en", "ko")
HANGUL_WORD = re.compile(r"[\uac00-\ud7a3]+")


def detect_language(text: str) -> str:
    """'ko' when at least half the words of `text` hold Hangul, else 'en'."""
    words = re.findall(r"[^\W\d_]+", text)
    hangul = sum(HANGUL_WORD.search(word) is not None for word in words)
    return "ko" if hangul and 2 * hangul >= len(words) else "en"


def locale_language() -> str:
    """The session language the locale asks for: 'ko' for a Korean locale, else 'en'."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        if value := os.environ.get(name):
            return "ko" if value.lower().startswith("ko") else "en"
    return "en"
