"""Each fault document, English and Korean, tells the athlete the limit pose_node applies by
default.

The documents are prose and the limits are pose_node parameters (faults.<code>): a default
changed in one place and not the other would have the coach cite a limit it does not use.
"""

from __future__ import annotations

import re

import pytest

from squat_common.settings import entries, field_value
from squat_feedback.knowledge_base import default_knowledge_dir, parse_document
from squat_pose.faults import FaultThresholds


def spoken_forms(value: float, unit: str) -> set[str]:
    """How a document may write the value: as given, or as a percentage of a share."""
    forms = {f"{value:g}"}
    if round(value, 1) == value:
        forms.add(f"{value:.1f}")
    if unit.startswith("standing knee separation"):
        forms.add(f"{value * 100:g} %")
    return forms


def states(text: str, number: str) -> bool:
    """Whether `text` has `number` as a whole number ("15" is not in "0.15" or "150")."""
    return re.search(rf"(?<![\d.]){re.escape(number)}(?!\d|\.\d)", text) is not None


@pytest.mark.parametrize("folder", ["", "ko"], ids=["en", "ko"])
@pytest.mark.parametrize("entry", list(entries(FaultThresholds())), ids=lambda e: e.name)
def test_the_fault_document_states_the_default_limit(entry, folder):
    document = parse_document(default_knowledge_dir() / folder /
                              f"fault-{entry.name.replace('_', '-')}.md")
    summary = document.section("Summary")
    forms = spoken_forms(field_value(FaultThresholds(), entry), entry.info.unit)
    assert any(states(summary, form) for form in forms), (
        f"{document.path.name} states none of {sorted(forms)} (faults.{entry.name} default)")
