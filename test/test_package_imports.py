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


# Third-party modules by who provides them. A module in none of these tables is a ROS package
# (rclpy, sensor_msgs, cv_bridge, ...) and is declared by its own name.
DISTRO_KEYS = {"numpy": "python3-numpy", "cv2": "python3-opencv", "yaml": "python3-yaml",
               "matplotlib": "python3-matplotlib", "scipy": "python3-scipy"}
PYPI_KEYS = {"mediapipe": "python3-mediapipe-pip", "fastembed": "python3-fastembed-pip",
             "qdrant_client": "python3-qdrant-client-pip",
             "langchain_core": "python3-langchain-core-pip",
             "langchain_qdrant": "python3-langchain-qdrant-pip",
             "langchain_openai": "python3-langchain-openai-pip",
             "langchain_ollama": "python3-langchain-ollama-pip",
             "stop_words": "python3-stop-words-pip",
             "kiwipiepy": "python3-kiwipiepy-pip", "rosbags": "python3-rosbags-pip",
             "mcap": "python3-mcap-pip"}
# Imported for their types and errors; installed by the package that needs them.
CARRIED_BY = {"httpx": "qdrant_client", "grpc": "qdrant_client", "pydantic": "langchain_core"}
OPTIONAL = {"llama_cpp"}  # the local LLM extra, scripts/setup --with-llm; said when missing
# Pip keys the rosdistro index defines; the rest are the project's own, in scripts/rosdep.yaml.
OFFICIAL_PIP_KEYS = {"python3-mediapipe-pip"}
PYPI_CONDITION = "$SQUAT_COACH_PYPI == rosdep"


def third_party_imports(package: str) -> set[str]:
    found = set()
    for path in (SRC / package / package).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = ([alias.name for alias in node.names] if isinstance(node, ast.Import)
                     else [node.module] if isinstance(node, ast.ImportFrom) and node.module
                     and not node.level else [])
            found |= {name.split(".")[0] for name in names}
    return {name for name in found - OPTIONAL if name not in sys.stdlib_module_names
            and name != "__future__" and not name.startswith("squat_")}


def manifest(package: str):
    from catkin_pkg.package import parse_package

    return parse_package(SRC / package / "package.xml")


def exec_keys(package: str, environment: dict[str, str]) -> set[str]:
    parsed = manifest(package)
    parsed.evaluate_conditions(environment)
    return {dep.name for dep in parsed.exec_depends if dep.evaluated_condition}


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_the_manifest_names_every_module_the_code_imports(package):
    """`rosdep install --from-paths src` (plus scripts/setup for PyPI-only ones) is enough."""
    with_pypi = exec_keys(package, {"SQUAT_COACH_PYPI": "rosdep"})
    needed = set()
    for module in third_party_imports(package):
        module = CARRIED_BY.get(module, module)
        needed.add(DISTRO_KEYS.get(module) or PYPI_KEYS.get(module) or module)
    assert needed <= with_pypi, sorted(needed - with_pypi)


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_pypi_only_dependencies_are_left_to_the_venv_unless_asked(package):
    parsed = manifest(package)
    assert parsed.package_format == 3 and not parsed.validate()
    pip_keys = {dep.name: dep.condition for dep in parsed.exec_depends
                if dep.name.endswith("-pip")}
    assert all(condition == PYPI_CONDITION for condition in pip_keys.values()), pip_keys
    assert not {key for key in exec_keys(package, {}) if key.endswith("-pip")}


def test_the_project_rosdep_file_defines_each_pip_key_used_and_no_other():
    import yaml

    defined = yaml.safe_load((REPO_ROOT / "scripts" / "rosdep.yaml").read_text())
    used = set().union(*(exec_keys(p, {"SQUAT_COACH_PYPI": "rosdep"}) for p in ALLOWED))
    used = {key for key in used if key.endswith("-pip")} - OFFICIAL_PIP_KEYS
    assert set(defined) == used
    requirements = (REPO_ROOT / "scripts" / "requirements-python.txt").read_text().split()
    for key, rules in defined.items():
        for system in ("debian", "ubuntu"):
            assert all(name in requirements for name in rules[system]["pip"]["packages"]), key
