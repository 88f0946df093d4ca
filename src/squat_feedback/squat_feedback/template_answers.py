"""The grounded, deterministic generator: measurements -> faults -> cues from the documents.

Every sentence is either a number from the rep or text from a cited knowledge-base document, so
the answer cannot say anything the measurements and the documents do not. Imports no rclpy.
"""

from __future__ import annotations

import math
import re

from squat_feedback.knowledge_base import KnowledgeDocument
from squat_feedback.rep_context import FaultFinding, RepContext, format_number

UNIT_NAMES = {"deg": "deg", "s": "s", "torso_lengths": "torso lengths",
              "hip_widths": "hip widths",
              "standing_knee_separation": "of the standing knee separation"}


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


def _quantity(value: float, unit: str) -> str:
    """A measured number with its unit; 'not measured' for what is not a number."""
    if not math.isfinite(value):
        return "not measured"
    name = UNIT_NAMES.get(unit, unit)
    return f"{format_number(value)} {name}" if name else format_number(value)


def _measured(fault: FaultFinding) -> str:
    return (f"{fault.name} {_quantity(fault.value, fault.unit)} "
            f"(limit {_quantity(fault.threshold, fault.unit)})")


def rep_summary_line(rep: RepContext) -> str:
    """One line of the rep's main numbers (those measured)."""
    parts = [f"{name} {_quantity(value, unit)}" for name, value, unit in (
        ("lowest knee angle", rep.min_knee_angle_deg, "deg"), ("descent", rep.descent_s, "s"),
        ("ascent", rep.ascent_s, "s"), ("score", rep.score, "")) if math.isfinite(value)]
    return ", ".join(parts)


def rep_feedback(rep: RepContext, fault_documents: dict[str, KnowledgeDocument],
                 clean_document: KnowledgeDocument) -> tuple[str, list[str]]:
    """Feedback on a rep and the ids it cites: per fault the measured value, a cue and a drill
    from that fault's document; for a clean rep, the numbers and a cue to keep."""
    numbers = rep_summary_line(rep)
    # The largest deviation from the reference, where it is beyond the score's band.
    compared = [d for d in rep.deviations
                if math.isfinite(d.degrees) and abs(d.degrees) >= DEVIATION_WORTH_SAYING_DEG][:1]
    against = f" Compared with the reference, {compared[0].text()}." if compared else ""
    if not rep.faults:
        cue = first_bullet(clean_document, "Cues")
        return (f"Rep {rep.rep_index}: no fault found ({numbers}).{against} Keep it that way: "
                f"{cue} [{clean_document.id}]"), [clean_document.id]
    lines = [f"Rep {rep.rep_index}: {numbers}.{against}" if numbers
             else f"Rep {rep.rep_index}:{against}"]
    sources = []
    for fault in sorted(rep.faults, key=lambda f: -f.severity):
        document = fault_documents.get(fault.code)
        if document is None:
            lines.append(f"- {_measured(fault)}.")
            continue
        drill = first_bullet(document, "Drills")
        lines.append(f"- {_measured(fault)}. Cue: {first_bullet(document, 'Cues')} "
                     f"Drill: {drill} [{document.id}]")
        if document.id not in sources:
            sources.append(document.id)
    return "\n".join(lines), sources


def question_answer(documents: list[KnowledgeDocument], rep: RepContext | None = None,
                    rep_documents: dict[str, KnowledgeDocument] | None = None
                    ) -> tuple[str, list[str]]:
    """An answer to a free question from the retrieved documents (best first): the best one's
    summary and cue, a pointer to the next, and the rep's faults when a rep is given."""
    best = documents[0]
    about, rep_sources = (rep_feedback(rep, rep_documents or {}, best) if rep is not None
                          else ("", []))
    text = f"{first_sentences(best.section('Summary'), 3)} [{best.id}]"
    cue = first_bullet(best, "Cues") if best.section("Cues") else ""
    if cue and cue not in about:  # each cue once: the rep's part may have said it already
        text += f"\nCue: {cue}"
    sources = [best.id]
    if len(documents) > 1:
        text += f"\nSee also: {documents[1].title} [{documents[1].id}]"
        sources.append(documents[1].id)
    if rep is not None:
        text = f"About your last rep. {about}\n\n{text}"
        sources = rep_sources + [s for s in sources if s not in rep_sources]
    return text, sources
