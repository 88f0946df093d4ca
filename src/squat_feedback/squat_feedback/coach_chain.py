"""The coaching chain shared by feedback_node and `coach ask`: retrieve, then generate.

A LangChain pipeline: retrieval over the knowledge index, then the grounded template, or an LLM
(prompt | chat model | parser) whose answer must pass the guard; otherwise the template answers
and the reason is kept. Questions are screened before anything else. Imports no rclpy.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from langchain_core.language_models import BaseChatModel
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.runnables import RunnableLambda

from squat_feedback.answer_guard import guard_failure
from squat_feedback.circuit_breaker import CircuitBreaker
from squat_feedback.knowledge_base import KnowledgeDocument
from squat_feedback.knowledge_index import KnowledgeIndex, SearchHit
from squat_feedback.question_screen import (
    DEFAULT_MAX_CHARS,
    mentions_pain,
    readable_text,
    screen_question,
)
from squat_feedback.rep_context import RepContext, format_number
from squat_feedback.template_answers import question_answer, rep_feedback, rep_summary_line

CLEAN_REP_DOCUMENT = "technique-descent"
SAFETY_DOCUMENT = "safety-pain"
LLM_DOCUMENTS, LLM_CHARS = 2, 240
REP_QUESTION = "Give feedback on this rep: what to fix first and how."
SYSTEM_PROMPT = (
    "You are squat coach, a strength coach. Answer only from the documents below and cite "
    "each document you use by its id in square brackets, like [fault-knee-valgus]. Use only "
    "numbers that appear in the rep or in the documents. Address every fault of the rep. "
    "Never diagnose pain or injury: for pain, say to stop and see a professional. Plain "
    "language, at most {max_chars} characters.")
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
    hits: list[SearchHit] = field(default_factory=list)
    fault_documents: dict[str, KnowledgeDocument] = field(default_factory=dict)


class CoachChain:
    """Answers reps and questions from the knowledge index."""

    def __init__(self, index: KnowledgeIndex, documents: list[KnowledgeDocument],
                 chat_model: BaseChatModel | None = None, model_name: str = "",
                 max_question_chars: int = DEFAULT_MAX_CHARS, max_answer_chars: int = 600,
                 top_k: int = 3, warn: Callable[[str], None] = lambda _: None) -> None:
        self.index = index
        self.documents = {d.id: d for d in documents}
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

    def feedback(self, rep: RepContext) -> Answer:
        """Coaching on a finished rep (waits for the LLM when it is busy)."""
        return self._answer(Grounding(REP_QUESTION, rep), wait_for_llm=True)

    def ask(self, question: str, rep: RepContext | None = None) -> Answer:
        """An answer to a free question, with `rep` as context when given."""
        start = time.perf_counter()
        question = readable_text(question)
        refusal = screen_question(question, self.max_question_chars)
        if refusal is not None:
            return Answer(refusal, [], [], "screen", "question screened",
                          (time.perf_counter() - start) * 1000)
        return self._answer(Grounding(question.strip(), rep), wait_for_llm=False)

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
        rep = grounding.rep
        for fault in rep.faults if rep else ():
            hits = self.index.search(f"{fault.name}: cues, drills and causes", self.top_k,
                                     fault=fault.code)
            # The fault's own document (topic "fault") first, else the best match.
            own = [h for h in hits if "fault" in h.topics and h.faults == [fault.code]]
            chosen = (own or hits)[:1]
            if chosen and chosen[0].id in self.documents:
                grounding.fault_documents[fault.code] = self.documents[chosen[0].id]
                grounding.hits += [h for h in chosen if h not in grounding.hits]
        if grounding.question != REP_QUESTION:
            # A question about a rep is about its faults too.
            names = " ".join(f.name for f in rep.faults) if rep else ""
            grounding.hits = self.index.search(f"{grounding.question} {names}".strip(),
                                               self.top_k) + grounding.hits
            if mentions_pain(grounding.question) and SAFETY_DOCUMENT in self.documents:
                # Pain is never coached around: stop and see a professional comes first.
                safety = self.index.search(grounding.question, 1, document=SAFETY_DOCUMENT)
                grounding.hits = safety + [h for h in grounding.hits
                                           if h.id != SAFETY_DOCUMENT]
        return grounding

    def _template_answer(self, grounding: Grounding) -> Answer:
        rep = grounding.rep
        codes = rep.fault_codes if rep else []
        if grounding.question == REP_QUESTION and rep is not None:
            text, sources = rep_feedback(rep, grounding.fault_documents,
                                         self.documents[CLEAN_REP_DOCUMENT])
            return Answer(text, sources, codes, "template")
        ranked = [self.documents[h.id] for h in grounding.hits if h.id in self.documents]
        if not ranked:
            return Answer("The knowledge base has nothing on that yet; ask your trainer.", [],
                          codes, "template")
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
        if not self._llm_breaker.allow():
            template.fallback_reason = (f"LLM skipped after a failure (tried again in "
                                        f"{self._llm_breaker.skipped_for_s():.0f} s)")
            return template
        try:
            text = self._llm.invoke({"rep": rep_text, "documents": documents,
                                     "question": grounding.question,
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
        return f"rep {rep.rep_index}: {rep_summary_line(rep)}; faults: {faults}"
