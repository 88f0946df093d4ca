"""README "On a ROS 2 Jazzy machine", line by line, in a STAND-IN for a Jazzy machine.

The prefix is assembled from the PyPI wheels (test/helpers/standin_ros.py says what it is and
is not); scripts/setup takes its native branch there because ROS_DISTRO=jazzy is sourced. What
cannot run here, said plainly: `rosdep install` (no rosdep index, no apt) and `ros2 launch` (not
on PyPI); the manifests' keys are checked by test_package_imports.py instead.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
from pathlib import Path

from conftest import REPO_ROOT
from helpers import standin_ros

# README lines the stand-in cannot run, and why.
NOT_HERE = {"rosdep install": "no rosdep index or apt here",
            "ros2 launch": "launch is not on PyPI"}


def readme_lines() -> list[str]:
    text = (REPO_ROOT / "README.md").read_text()
    section = text.split("## On a ROS 2 Jazzy machine", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```bash\n(.*?)```", section, re.DOTALL)
    assert block, "the section has no bash block"
    return [line.split("  #")[0].strip() for line in block.group(1).splitlines()
            if line.strip() and not line.startswith("#")]


def checkout(destination: Path) -> Path:
    """The repository's tracked files as they are now: a clean clone, with this tree's edits."""
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=REPO_ROOT, capture_output=True,
                             check=True).stdout.decode().split("\0")
    for name in filter(None, tracked):
        source = REPO_ROOT / name
        if source.is_file():
            (destination / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination / name)
    return destination


def test_the_readme_lines_for_a_jazzy_machine_work_and_nothing_shadows_the_distro(tmp_path):
    setup = standin_ros.assemble(tmp_path / "opt" / "ros" / "jazzy", REPO_ROOT)
    tree = checkout(tmp_path / "squat_coach")
    lines = readme_lines()
    skipped = [line for line in lines if any(line.startswith(k) for k in NOT_HERE)]
    assert {key for key in NOT_HERE if any(line.startswith(key) for line in skipped)} == \
        set(NOT_HERE), lines
    run = [line.replace("/opt/ros/jazzy/setup.bash", str(setup)) for line in lines
           if line not in skipped]
    assert run[0] == f"source {setup}", run
    checks = [
        # Nothing from PyPI in .venv over what the distro provides; its numpy is the one used.
        "python scripts/native_constraints.py check scripts/requirements-distro.txt .venv",
        "python -c 'import numpy, yaml, cv2; print(numpy.__version__, numpy.__file__)'",
        # Every node's imports (MediaPipe, LangChain, Qdrant) load on the distro's numpy.
        "python -c 'import squat_pose.pose_node, squat_feedback.feedback_node, "
        "squat_bringup.cli'",
    ]
    # A shell as a user opens it: nothing of this test's own environment.
    env = {"HOME": os.environ["HOME"], "LANG": "C.UTF-8",
           "PATH": f"{Path(standin_ros.base_python()).parent}:/usr/local/bin:/usr/bin:/bin"}
    script = "set -e\n" + "\n".join(f"echo {shlex.quote('+ ' + line)}\n{line}"
                                      for line in run + checks)
    result = subprocess.run(["bash", "-c", script], cwd=tree, env=env, capture_output=True,
                            text=True, timeout=2400)
    shown = result.stdout + result.stderr
    assert result.returncode == 0, shown
    assert "ROS 2 Jazzy is sourced: using it" in shown, shown
    prefix = str(tmp_path / "opt" / "ros" / "jazzy")
    assert any(line.startswith(f"{standin_ros.DISTRO_PYTHON['numpy']} {prefix}")
               for line in result.stdout.splitlines()), shown



def test_the_pypi_only_packages_resolve_for_python_3_12_on_ubuntus_numpy(tmp_path):
    """Jazzy's Python on Ubuntu 24.04 is 3.12: every pin has a cp312 wheel (nothing to build)
    and they resolve with the distro's versions pinned, as native_constraints.py pins them."""
    constraints = tmp_path / "constraints.txt"
    constraints.write_text(standin_ros.distro_constraints(REPO_ROOT))
    platforms = [arg for tag in ("manylinux_2_28_x86_64", "manylinux_2_17_x86_64",
                                 "manylinux2014_x86_64", "linux_x86_64")
                 for arg in ("--platform", tag)]
    # Published as source only: Kiwi's model (data files, nothing to compile), which kiwipiepy
    # requires. Both are resolved without dependencies: kiwipiepy's wheel, the model's sdist.
    source_only = {"kiwipiepy-model": "kiwipiepy"}
    wanted = (REPO_ROOT / "scripts" / "requirements-python.txt").read_text().splitlines()
    binary = tmp_path / "requirements-binary.txt"
    binary.write_text("\n".join(line for line in wanted if line.strip() not in
                                {*source_only, *source_only.values()}))
    separately = tmp_path / "requirements-separately.txt"
    separately.write_text("\n".join(source_only.values()))
    for requirements, extra in ((binary, []), (separately, ["--no-deps"]),
                                (REPO_ROOT / "scripts" / "requirements-nodeps.txt",
                                 ["--no-deps"])):
        result = subprocess.run(
            [standin_ros.base_python(), "-m", "pip", "install", "--dry-run", "--quiet",
             "--disable-pip-version-check", "--ignore-installed", "--target",
             str(tmp_path / "target"), "--python-version", "3.12", *platforms,
             "--only-binary=:all:", *extra, "-r", str(requirements),
             "-c", str(constraints)], capture_output=True, text=True, timeout=900)
        assert result.returncode == 0, (requirements.name, result.stderr[-3000:])
    for name in source_only:
        pin = next(line for line in constraints.read_text().splitlines()
                   if re.match(rf"(?i){name.replace('-', '[-_]')}==", line))
        found = subprocess.run(
            [standin_ros.base_python(), "-m", "pip", "download", "--no-deps", "--no-binary",
             ":all:", "--disable-pip-version-check", "--dest", str(tmp_path / "sdists"), pin],
            capture_output=True, text=True, timeout=900)
        assert found.returncode == 0, (pin, found.stderr[-3000:])
