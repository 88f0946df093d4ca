"""On a ROS 2 machine the venv never replaces a package the system has.

scripts/native_constraints.py pins what the system has, and finds shadowing after the fact.
The "system" here is a folder on PYTHONPATH, as /opt/ros/jazzy/lib/python3.X/site-packages is,
holding real distribution metadata; the venv is a real one made with --system-site-packages.
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from conftest import REPO_ROOT

SCRIPT = REPO_ROOT / "scripts" / "native_constraints.py"


def distribution(site: Path, name: str, version: str, module: str) -> None:
    """An installed distribution as pip leaves it: its dist-info and its module."""
    info = site / f"{name}-{version}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
    (site / module).mkdir()
    (site / module / "__init__.py").write_text(f"__version__ = {version!r}\n")


@pytest.fixture()
def layered(tmp_path: Path) -> tuple[Path, Path, dict[str, str]]:
    """(venv, the system's site folder, the environment that puts it on the path)."""
    system = tmp_path / "opt" / "site-packages"
    distribution(system, "numpy", "1.26.4", "numpy")
    distribution(system, "PyYAML", "6.0.1", "yaml")
    distribution(system, "click", "8.1.6", "click")  # pure Python, not the distro's to keep
    venv = tmp_path / "venv"
    base = getattr(sys, "_base_executable", sys.executable)
    subprocess.run([base, "-m", "venv", "--without-pip", "--system-site-packages", str(venv)],
                   check=True, timeout=120)
    env = {key: value for key, value in os.environ.items()
           if key not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return venv, system, dict(env, PYTHONPATH=str(system))


DISTRO = REPO_ROOT / "scripts" / "requirements-distro.txt"


def run(venv: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(venv / "bin" / "python"), str(SCRIPT), *args], env=env,
                          capture_output=True, text=True, timeout=120)


def check(venv: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    return run(venv, env, "check", str(DISTRO), str(venv))


def venv_site(venv: Path) -> Path:
    return Path(sysconfig.get_path("purelib", vars={"base": str(venv),
                                                     "platbase": str(venv)}))


def test_the_distros_versions_replace_the_project_pins_and_other_pins_stay(layered, tmp_path):
    venv, _, env = layered
    constraints = tmp_path / "constraints.txt"
    constraints.write_text("# pins\nnumpy==2.4.6\nqdrant-client==1.15.1\npyyaml==6.0.3\n"
                           "click==8.4.2\n")
    result = run(venv, env, str(constraints), str(DISTRO), str(venv))
    assert result.returncode == 0, result.stderr
    pins = [line.split("#")[0].strip() for line in result.stdout.splitlines()]
    assert "numpy==1.26.4" in pins and "pyyaml==6.0.1" in pins, result.stdout
    assert "numpy==2.4.6" not in pins, result.stdout
    assert "qdrant-client==1.15.1" in pins and "click==8.4.2" in pins, result.stdout


def test_a_venv_that_shadows_the_system_numpy_is_found(layered):
    venv, _, env = layered
    clean = check(venv, env)
    assert (clean.returncode, clean.stdout.strip()) == (0, ""), clean.stdout + clean.stderr
    distribution(venv_site(venv), "click", "8.4.2", "click")
    assert check(venv, env).returncode == 0
    distribution(venv_site(venv), "numpy", "2.4.6", "numpy")
    found = check(venv, env)
    assert found.returncode == 1, found.stdout + found.stderr
    assert "numpy 1.26.4 (distribution)" in found.stdout, found.stdout
    assert "numpy (module" in found.stdout and "yaml" not in found.stdout, found.stdout


def test_a_module_without_pip_metadata_shadowed_is_found(layered):
    # Debian's python3-opencv installs cv2 with no dist-info: only the module betrays it.
    venv, system, env = layered
    (system / "cv2").mkdir()
    (system / "cv2" / "__init__.py").write_text("")
    distribution(venv_site(venv), "opencv-python-headless", "5.0.0.93", "cv2")
    found = check(venv, env)
    assert found.returncode == 1 and "cv2 (module" in found.stdout, found.stdout


def test_a_wrong_call_says_how_to_call_it(layered):
    venv, _, env = layered
    result = run(venv, env, "check", str(venv))
    assert result.returncode == 2 and "Usage: native_constraints.py" in result.stderr
