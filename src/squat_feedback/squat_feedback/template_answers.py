"""The grounded, deterministic generator: measurements -> faults -> cues from the documents.

Every sentence is either a number from the rep or text from a cited knowledge-base document, so
the answer cannot say anything the measurements and the documents do not. It speaks the
language of the documents it is given (their wording: wording.py). Imports no rclpy.
"""

from __future__ import annotations

import math
import re

from squat_feedback.knowledge_base import KnowledgeDocument
from squat_feedback.rep_context import Deviation, FaultFinding, RepContext, format_number
from squat_feedback.wording import Wording, wording

# Deviations smaller than this are within a good rep's variation (the score's narrowest band).
DEVIATION_WORTH_SAYING_DEG = 8.0


def first_bullet(document: KnowledgeDocument, heading: str) -> str:
    """The first bullet (or sentence) of a section, without list marks and quotes."""
    text = document.section(heading)
    for line in text.splitlines():
        line = line.strip()
        if line.startswith(("-", "*")) or re.match(r"\d+\.", line):
            return re.sub(r"^([-*]|\d+\.)\s*", "", line).replace('"', "")
    return first_sentences(text, 1)


def first_sentences(text: str, count: int) -> str:
    """The first `count` sentences of a paragraph, on one line."""
    flat = " ".join(text.split())
    parts = re.split(r"(?<=[.!?])\s+", flat)
    return " ".join(parts[:count])


def _quantity(value: float, unit: str, words: Wording) -> str:
    """A measured number with its unit; 'not measured' for what is not a number."""
    if not math.isfinite(value):
        return words.not_measured
    name, joined = words.units.get(unit, (unit, False))
    if not name:
        return format_number(value)
    return f"{format_number(value)}{'' if joined else ' '}{name}"


def fault_name(code: str, words: Wording) -> str:
    """What a fault is called (its code, readable, when the wording has no name for it)."""
    return words.faults.get(code, code.replace("_", " "))


def _measured(fault: FaultFinding, words: Wording) -> str:
    return words.measured_limit.format(
        name=fault_name(fault.code, words), value=_quantity(fault.value, fault.unit, words),
        threshold=_quantity(fault.threshold, fault.unit, words))


def deviation_text(deviation: Deviation, words: Wording) -> str:
    """How the coach says a deviation: "at the bottom your trunk leaned 18 deg more than the
    reference"."""
    name, verb = words.angles.get(deviation.angle, (deviation.angle, ""))
    return words.deviation.format(
        where=words.phases.get(deviation.phase, deviation.phase), name=name, verb=verb,
        amount=_quantity(abs(deviation.degrees), "deg", words),
        more_or_less=words.more_less[0 if deviation.degrees > 0 else 1])


def rep_summary_line(rep: RepContext, words: Wording) -> str:
    """One line of the rep's main numbers (those measured)."""
    values = ((rep.min_knee_angle_deg, "deg"), (rep.descent_s, "s"), (rep.ascent_s, "s"),
              (rep.score, ""))
    return ", ".join(f"{name} {_quantity(value, unit, words)}"
                     for name, (value, unit) in zip(words.summary_names, values, strict=True)
                     if math.isfinite(value))


def rep_feedback(rep: RepContext, fault_documents: dict[str, KnowledgeDocument],
                 clean_document: KnowledgeDocument) -> tuple[str, list[str]]:
    """Feedback on a rep, in the language of `clean_document`, and the ids it cites: per fault
    the measured value, a cue and a drill from that fault's document; for a clean rep, the
    numbers and a cue to keep."""
    words = wording(clean_document.language)
    numbers = rep_summary_line(rep, words)
    # The largest deviation from the reference, where it is beyond the score's band.
    compared = [d for d in rep.deviations
                if math.isfinite(d.degrees) and abs(d.degrees) >= DEVIATION_WORTH_SAYING_DEG][:1]
    against = f" {deviation_text(compared[0], words)}." if compared else ""
    label = words.rep_label.format(index=rep.rep_index)
    if not rep.faults:
        cue = first_bullet(clean_document, "Cues")
        return (words.clean_rep.format(label=label, numbers=numbers, against=against, cue=cue)
                + f" [{clean_document.id}]"), [clean_document.id]
    lines = [f"{label} {numbers}.{against}" if numbers else f"{label}{against}"]
    sources = []
    for fault in sorted(rep.faults, key=lambda f: -f.severity):
        document = fault_documents.get(fault.code)
        if document is None:
            lines.append(f"- {_measured(fault, words)}.")
            continue
        lines.append(words.fault_line.format(
            measured=_measured(fault, words), cue=first_bullet(document, "Cues"),
            drill=first_bullet(document, "Drills")) + f" [{document.id}]")
        if document.id not in sources:
            sources.append(document.id)
    return "\n".join(lines), sources


def question_answer(documents: list[KnowledgeDocument], rep: RepContext | None = None,
                    rep_documents: dict[str, KnowledgeDocument] | None = None
                    ) -> tuple[str, list[str]]:
    """An answer to a free question from the retrieved documents (best first), in their
    language: the best one's summary and cue, a pointer to the next, and the rep's faults when
    a rep is given."""
    best = documents[0]
    words = wording(best.language)
    about, rep_sources = (rep_feedback(rep, rep_documents or {}, best) if rep is not None
                          else ("", []))
    text = f"{first_sentences(best.section('Summary'), 3)} [{best.id}]"
    cue = first_bullet(best, "Cues") if best.section("Cues") else ""
    if cue and cue not in about:  # each cue once: the rep's part may have said it already
        text += "\n" + words.answer_cue.format(cue=cue)
    sources = [best.id]
    if len(documents) > 1:
        text += "\n" + words.see_also.format(title=documents[1].title) + \
            f" [{documents[1].id}]"
        sources.append(documents[1].id)
    if rep is not None:
        text = f"{words.about_rep} {about}\n\n{text}"
        sources = rep_sources + [s for s in sources if s not in rep_sources]
    return text, sources
