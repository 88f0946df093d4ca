"""The coaching chain shared by feedback_node and `coach ask`: retrieve, then generate.

A LangChain pipeline: retrieval over the knowledge index, then the grounded template, or an LLM
(prompt | chat model | parser) whose answer must pass the guard; otherwise the template answers
and the reason is kept. Questions are screened before anything else, and a question the
knowledge base does not cover (topic_relevance) gets "I only coach the squat". Answers come in
the question's language (or the one asked for); rep feedback in the session's. Imports no
rclpy.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from langchain_core.language_models import BaseChatModel
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.runnables import RunnableLambda

from squat_feedback.answer_guard import guard_failure
from squat_feedback.circuit_breaker import CircuitBreaker
from squat_feedback.knowledge_base import KnowledgeDocument
from squat_feedback.knowledge_index import KnowledgeIndex, SearchHit
from squat_feedback.language import detect_language
from squat_feedback.question_screen import (
    DEFAULT_MAX_CHARS,
    mentions_pain,
    readable_text,
    screen_question,
)
from squat_feedback.rep_context import RepContext, format_number
from squat_feedback.template_answers import (
    fault_name,
    question_answer,
    rep_feedback,
    rep_summary_line,
)
from squat_feedback.wording import ENGLISH, wording

# English ids: an answer cites the version in its own language.
CLEAN_REP_DOCUMENT = "technique-descent"
SAFETY_DOCUMENT = "safety-pain"
LLM_DOCUMENTS, LLM_CHARS = 2, 240
SYSTEM_PROMPT = (
    "You are squat coach, a strength coach. Answer only from the documents below and cite "
    "each document you use by its id in square brackets, like [fault-knee-valgus]. Use only "
    "numbers that appear in the rep or in the documents. Address every fault of the rep. "
    "Never diagnose pain or injury: for pain, say to stop and see a professional. Plain "
    "language, at most {max_chars} characters. Answer in {language}.")
HUMAN_PROMPT = "Rep: {rep}\n\nDocuments:\n{documents}\n\nQuestion: {question}"


@dataclass
class Answer:
    """What the coach says, on what it is grounded, and who wrote it."""

    text: str
    sources: list[str]
    fault_codes: list[str]
    generator: str
    fallback_reason: str = ""
    latency_ms: float = 0.0


@dataclass
class Grounding:
    """A question (or a rep) and what retrieval found for it."""

    question: str
    rep: RepContext | None
    language: str = "en"  # of the answer
    about_rep: bool = False  # feedback on the rep rather than a free question
    # of the question, which is searched in its own language's documents
    question_language: str = "en"
    hits: list[SearchHit] = field(default_factory=list)
    fault_documents: dict[str, KnowledgeDocument] = field(default_factory=dict)


class CoachChain:
    """Answers reps and questions from the knowledge index."""

    def __init__(self, index: KnowledgeIndex, documents: list[KnowledgeDocument],
                 chat_model: BaseChatModel | None = None, model_name: str = "",
                 max_question_chars: int = DEFAULT_MAX_CHARS, max_answer_chars: int = 600,
                 top_k: int = 3, min_relevance: dict[str, float] | None = None,
                 warn: Callable[[str], None] = lambda _: None) -> None:
        self.index = index
        self.documents = {d.id: d for d in documents}
        self._versions = {(d.english_id, d.language): d for d in documents}
        # language -> the relevance below which a question is off-topic (none: never refused)
        self.min_relevance = min_relevance or {}
        self.max_question_chars, self.max_answer_chars = max_question_chars, max_answer_chars
        self.top_k = top_k
        self._warn = warn
        # A hung or dead server costs one timeout, not one per answer.
        self._llm_breaker = CircuitBreaker()
        # feedback_node answers reps and questions on two threads: the index is searched by
        # one at a time, and the LLM answers one at a time (a question does not queue behind
        # a rep: the template answers it while the LLM is busy).
        self._index_lock = threading.Lock()
        self._llm_lock = threading.Lock()
        self._retrieve = RunnableLambda(self._retrieval)
        self._template = self._retrieve | RunnableLambda(self._template_answer)
        self._model_name = model_name
        self._llm = None
        if chat_model is not None:
            prompt = ChatPromptTemplate.from_messages([("system", SYSTEM_PROMPT),
                                                       ("human", HUMAN_PROMPT)])
            self._llm = prompt | chat_model | StrOutputParser()

    @property
    def generator(self) -> str:
        return f"llm:{self._model_name}" if self._llm is not None else "template"

    def feedback(self, rep: RepContext, language: str = "en") -> Answer:
        """Coaching on a finished rep in `language` (waits for the LLM when it is busy)."""
        return self._answer(Grounding(wording(language).rep_question, rep, language, True,
                                      language), wait_for_llm=True)

    def ask(self, question: str, rep: RepContext | None = None,
            language: str | None = None) -> Answer:
        """An answer to a free question, with `rep` as context when given, in `language`
        (default: the question's)."""
        start = time.perf_counter()
        question = readable_text(question).strip()
        asked_in = detect_language(question)
        language = language or asked_in
        words = wording(language)

        def screened(text: str, reason: str) -> Answer:
            return Answer(text, [], rep.fault_codes if rep else [], "screen", reason,
                          (time.perf_counter() - start) * 1000)

        refusal = screen_question(question, self.max_question_chars, words)
        if refusal is not None:
            return screened(refusal, "question screened")
        threshold = self.min_relevance.get(asked_in)
        # Pain is never turned away: it is answered from the safety document.
        if threshold is not None and not mentions_pain(question):
            with self._index_lock:
                score = self.index.relevance(self._query(question, rep, asked_in), asked_in)
            if score < threshold:
                return screened(words.off_topic,
                                f"off topic (relevance {score:.2f} < {threshold:.2f})")
        return self._answer(Grounding(question, rep, language, False, asked_in),
                            wait_for_llm=False)

    @staticmethod
    def _query(question: str, rep: RepContext | None, language: str) -> str:
        """What a question is searched with: a question about a rep is about its faults too."""
        names = " ".join(fault_name(f.code, wording(language)) for f in rep.faults) \
            if rep else ""
        return f"{question} {names}".strip()

    def _version(self, english_id: str, language: str) -> KnowledgeDocument:
        """A document in `language`, or in English when it has no version in it."""
        return self._versions.get((english_id, language)) or self.documents[english_id]

    def _in_language(self, hit: SearchHit, language: str) -> SearchHit:
        """A hit as the version of its document in `language` (its summary as the text)."""
        found = self.documents.get(hit.id)
        if found is None or found.language == language:
            return hit
        version = self._version(found.english_id, language)
        return replace(hit, id=version.id, title=version.title, section="Summary",
                       text=version.section("Summary"))

    def _answer(self, grounding: Grounding, wait_for_llm: bool) -> Answer:
        start = time.perf_counter()
        with self._index_lock:
            grounding = self._retrieve.invoke(grounding)
        answer = self._template_answer(grounding)
        if self._llm is not None:
            if self._llm_lock.acquire(blocking=wait_for_llm):
                try:
                    answer = self._llm_answer(grounding, answer)
                finally:
                    self._llm_lock.release()
            else:
                answer.fallback_reason = "LLM busy with another answer"
        answer.latency_ms = (time.perf_counter() - start) * 1000
        return answer

    def _retrieval(self, grounding: Grounding) -> Grounding:
        rep, language = grounding.rep, grounding.language
        words = wording(language)
        for fault in rep.faults if rep else ():
            hits = self.index.search(
                words.fault_query.format(name=fault_name(fault.code, words)), self.top_k,
                fault=fault.code, language=language)
            # The fault's own document (topic "fault") first, else the best match.
            own = [h for h in hits if "fault" in h.topics and h.faults == [fault.code]]
            chosen = (own or hits)[:1]
            if chosen and chosen[0].id in self.documents:
                grounding.fault_documents[fault.code] = self.documents[chosen[0].id]
                grounding.hits += [h for h in chosen if h not in grounding.hits]
        if not grounding.about_rep:
            asked_in = grounding.question_language
            found = self.index.search(self._query(grounding.question, rep, asked_in),
                                      self.top_k, language=asked_in)
            if mentions_pain(grounding.question) and SAFETY_DOCUMENT in self.documents:
                # Pain is never coached around: stop and see a professional comes first.
                safety_id = self._version(SAFETY_DOCUMENT, asked_in).id
                found = self.index.search(grounding.question, 1, document=safety_id,
                                          language=asked_in) + [h for h in found
                                                                if h.id != safety_id]
            grounding.hits = [self._in_language(h, language) for h in found] + grounding.hits
        return grounding

    def _template_answer(self, grounding: Grounding) -> Answer:
        rep = grounding.rep
        codes = rep.fault_codes if rep else []
        if grounding.about_rep and rep is not None:
            text, sources = rep_feedback(
                rep, grounding.fault_documents,
                self._version(CLEAN_REP_DOCUMENT, grounding.language))
            return Answer(text, sources, codes, "template")
        ranked = [self.documents[h.id] for h in grounding.hits if h.id in self.documents]
        if not ranked:
            return Answer(wording(grounding.language).nothing_found, [], codes, "template")
        text, sources = question_answer(list(dict.fromkeys(ranked)), rep,
                                        grounding.fault_documents)
        return Answer(text, sources, codes, "template")

    def _llm_answer(self, grounding: Grounding, template: Answer) -> Answer:
        hits = list({h.id: h for h in grounding.hits}.values())[:LLM_DOCUMENTS]
        retrieved = [h.id for h in hits]
        # A small model reads slowly: the best section of the first few documents, trimmed.
        documents = "\n".join(f"[{h.id}] {h.title}: {' '.join(h.text.split())[:LLM_CHARS]}"
                              for h in hits)
        rep_text = self._rep_text(grounding.rep)
        language = wording(grounding.language).language_name
        if not self._llm_breaker.allow():
            template.fallback_reason = (f"LLM skipped after a failure (tried again in "
                                        f"{self._llm_breaker.skipped_for_s():.0f} s)")
            return template
        try:
            text = self._llm.invoke({"rep": rep_text, "documents": documents,
                                     "question": grounding.question, "language": language,
                                     "max_chars": self.max_answer_chars}).strip()
        except Exception as error:  # any transport or server error: the template answers
            backoff = self._llm_breaker.failed()
            self._warn(f"LLM {self._model_name} failed ({type(error).__name__}: {error}); "
                       f"the template answers, the LLM is tried again in {backoff:.0f} s")
            template.fallback_reason = f"LLM unavailable: {type(error).__name__}"
            return template
        self._llm_breaker.succeeded()
        reason = guard_failure(text, grounding.rep, retrieved, documents + rep_text,
                               self.max_answer_chars)
        if reason is not None:
            template.fallback_reason = f"LLM answer rejected: {reason}"
            return template
        cited = [i for i in retrieved if f"[{i}]" in text]
        return Answer(text, cited, template.fault_codes, self.generator)

    @staticmethod
    def _rep_text(rep: RepContext | None) -> str:
        if rep is None:
            return "none"
        faults = "; ".join(f"{f.code} {format_number(f.value)} {f.unit} (limit "
                           f"{format_number(f.threshold)})" for f in rep.faults) or "no fault"
        return f"rep {rep.rep_index}: {rep_summary_line(rep, ENGLISH)}; faults: {faults}"
