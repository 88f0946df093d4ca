"""The layout holds: no package borrows from a sibling, and feedback needs no OpenCV."""

from __future__ import annotations

import ast
import subprocess
import sys

import pytest

from conftest import REPO_ROOT

SRC = REPO_ROOT / "src"
# Who may import whom: everything may use the interfaces and the shared package; only the
# command that starts the whole system imports node packages.
ALLOWED = {
    "squat_common": {"squat_msgs"},
    "squat_camera": {"squat_common", "squat_msgs"},
    "squat_virtual_athlete": {"squat_common", "squat_msgs"},
    "squat_pose": {"squat_common", "squat_msgs"},
    "squat_feedback": {"squat_common", "squat_msgs"},
    "squat_rqt": {"squat_common", "squat_msgs"},
    "squat_bringup": {"squat_common", "squat_msgs", "squat_camera", "squat_virtual_athlete",
                      "squat_pose", "squat_feedback", "squat_rqt"},
}


def imported_packages(package: str) -> set[str]:
    found = set()
    for path in (SRC / package / package).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = ([alias.name for alias in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            found |= {name.split(".")[0] for name in names if name.startswith("squat_")}
    return found - {package}


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_a_package_imports_only_what_it_may(package):
    assert imported_packages(package) <= ALLOWED[package]


def test_every_python_package_declares_what_it_imports():
    for package in ALLOWED:
        manifest = (SRC / package / "package.xml").read_text()
        for needed in imported_packages(package):
            assert f"<exec_depend>{needed}</exec_depend>" in manifest, (package, needed)


def test_the_feedback_node_loads_without_opencv():
    probe = ("import sys, squat_feedback.feedback_node; "
             "print('cv2' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"
