"""Checks an LLM's answer before anyone sees it; a failed check means the template answers.

An answer passes when it addresses every fault of the rep, cites only retrieved documents (and
at least one), writes no number that is not in the rep or the retrieved text, and stays within
the length limit. Imports no rclpy.
"""

from __future__ import annotations

import re

from squat_feedback.rep_context import RepContext

# Words that show an answer talks about a fault, in English and Korean.
FAULT_WORDS = {
    "knee_valgus": ("valgus", "cave", "caving", "knees in", "inward", "knees out",
                    "follow your toes", "track", "외반", "안으로", "안쪽", "모여", "모이",
                    "발끝 방향"),
    "insufficient_depth": ("depth", "deep", "parallel", "lower", "깊이", "깊게", "평행",
                           "앉"),
    "forward_lean": ("lean", "chest", "torso", "trunk", "upright", "상체", "가슴", "숙",
                     "기울"),
    "heel_lift": ("heel", "뒤꿈치"),
    "lateral_shift": ("shift", "side", "uneven", "centre", "center", "both feet", "쏠",
                      "한쪽", "좌우", "양발", "가운데"),
    "fast_descent": ("fast", "slow", "tempo", "control", "빠르", "빨리", "천천히", "템포",
                     "속도"),
    "incomplete_lockout": ("lockout", "lock out", "stand tall", "finish", "top", "락아웃",
                           "끝까지", "일어서", "펴"),
}
CITATION = re.compile(r"\[([a-z0-9-]+)\]")
NUMBER = re.compile(r"(?<![\w.])\d+(?:\.\d+)?")


def guard_failure(answer: str, rep: RepContext | None, retrieved_ids: list[str],
                  context_text: str, max_chars: int) -> str | None:
    """Why `answer` must not be used, or None when it passes."""
    if not answer.strip():
        return "empty answer"
    if len(answer) > max_chars:
        return f"too long ({len(answer)} > {max_chars} characters)"
    cited = CITATION.findall(answer)
    if not cited:
        return "cites no knowledge-base document"
    foreign = sorted(set(cited) - set(retrieved_ids))
    if foreign:
        return f"cites documents that were not retrieved: {', '.join(foreign)}"
    lowered = CITATION.sub("", answer).lower()  # a citation alone does not address a fault
    for code in rep.fault_codes if rep else []:
        if not any(word in lowered for word in FAULT_WORDS.get(code, (code,))):
            return f"does not address the fault {code}"
    allowed = set(NUMBER.findall(context_text)) | (rep.numbers() if rep else set())
    invented = sorted({n for n in NUMBER.findall(CITATION.sub("", answer)) if n not in allowed})
    if invented:
        return f"writes numbers found in neither the rep nor the documents: {', '.join(invented)}"
    return None
