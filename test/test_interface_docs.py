"""Every field of every squat_msgs interface is documented by a comment."""

from __future__ import annotations

import re

import pytest

from conftest import REPO_ROOT

INTERFACES = sorted((REPO_ROOT / "src" / "squat_msgs").glob("*/*.[ms][sr][gv]"))
CONSTANT = re.compile(r"^\w[\w/]*(\[\d*\])?\s+[A-Z][A-Z0-9_]*\s*=")


def undocumented_fields(text: str) -> list[str]:
    """Field lines with no comment on the line or in the comment block just above."""
    missing, commented = [], False
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("#"):
            commented = True
        elif not stripped or stripped == "---":
            commented = False
        elif CONSTANT.match(stripped):
            continue
        else:
            if not commented and "#" not in stripped:
                missing.append(stripped)
    return missing


def test_all_interfaces_found():
    names = {path.name for path in INTERFACES}
    assert {"Keypoint.msg", "PoseKeypoints.msg", "SquatState.msg", "RepSummary.msg",
            "Feedback.msg", "AskCoach.srv", "SetReference.srv"} <= names


@pytest.mark.parametrize("path", INTERFACES, ids=lambda path: path.name)
def test_every_field_is_documented(path):
    assert undocumented_fields(path.read_text()) == []


def test_an_undocumented_field_is_found():
    text = "# documented\nfloat32 a\nfloat32 b\n\nuint8 C=1\nfloat32 d\n"
    assert undocumented_fields(text) == ["float32 d"]
