"""How much a question is about what the knowledge base covers: one score per question.

Nearest-document retrieval always finds something, so "What's the capital of France?" would be
answered with the closest squat document. The score says whether the best match is a real one:
- coverage: the share of the question's terms (BM25 terms, IDF-weighted) that the best single
  document contains. An off-topic question is made of words the knowledge base never uses, or
  uses everywhere;
- match: how close the best chunk is: the dense cosine for English; for Korean, which the dense
  model does not know, the BM25 score over MATCH_SCALE (capped at 1).
relevance = (1 - w) * match + w * coverage, w per language (COVERAGE_WEIGHT); a question
whose words are all stop words ("What should I think about on the way up?") has no coverage,
and its match alone decides. The refusal
threshold (feedback `min_relevance_<language>`) and the weights were calibrated on the labelled
on-/off-topic questions of test/data (test/bench/calibrate_topic_relevance.py prints the rates).
Imports no rclpy.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

COVERAGE_WEIGHT = {"en": 0.25, "ko": 0.5}
# A BM25 score of a strong Korean match (the median on-topic question scores ~13).
MATCH_SCALE = 10.0


@dataclass
class TermStatistics:
    """Which BM25 terms each document of a language has, and in how many chunks each occurs."""

    chunks: Counter = field(default_factory=Counter)  # language -> chunk count
    document_frequency: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    document_terms: dict[str, dict[str, set[int]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(set)))

    @classmethod
    def of(cls, rows: Iterable[tuple[str, str, Iterable[int]]]) -> TermStatistics:
        """From (language, document id, term indices) per chunk."""
        found = cls()
        for language, document, terms in rows:
            unique = set(terms)
            found.chunks[language] += 1
            found.document_frequency[language].update(unique)
            found.document_terms[language][document] |= unique
        return found

    def idf(self, term: int, language: str) -> float:
        """BM25's inverse document frequency (over chunks, as the index scores them)."""
        n, df = self.chunks[language], self.document_frequency[language].get(term, 0)
        return math.log(1 + (n - df + 0.5) / (df + 0.5))

    def coverage(self, terms: Iterable[int], language: str) -> float | None:
        """The largest share of the terms' IDF mass that one document contains (0: none);
        None without terms."""
        weights = {t: self.idf(t, language) for t in set(terms)}
        total = sum(weights.values())
        if total <= 0:
            return None
        if not self.document_terms[language]:
            return 0.0
        return max(sum(w for t, w in weights.items() if t in held)
                   for held in self.document_terms[language].values()) / total


def relevance(match: float, coverage: float | None, language: str) -> float:
    """The question's relevance score from its best match and its coverage (see above)."""
    scaled = match if language == "en" else min(1.0, match / MATCH_SCALE)
    if coverage is None:
        return scaled
    weight = COVERAGE_WEIGHT[language]
    return (1 - weight) * scaled + weight * coverage
