"""Shared fixtures of the cross-package tests."""

from __future__ import annotations

import os
import random
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import settings

TEST_DIR = Path(__file__).resolve().parent
REPO_ROOT = TEST_DIR.parent
# Real squat footage shared between projects, never committed (its README says what it holds).
SHARED_DATA = REPO_ROOT.parent / "shared" / "data" / "squat"
needs_footage = pytest.mark.skipif(not SHARED_DATA.is_dir(),
                                   reason=f"{SHARED_DATA} (real footage) is absent")

# Hypothesis draws the same examples on every run, so a failing run is never bad luck;
# HYPOTHESIS_EXPLORE=1 draws new ones each run, to look for cases nobody has seen yet.
settings.register_profile("suite", derandomize=True)
settings.register_profile("explore", derandomize=False)
settings.load_profile("explore" if os.environ.get("HYPOTHESIS_EXPLORE") else "suite")

# A DDS domain of this test run's own, so concurrent runs and other ROS graphs on this machine
# never see our messages; child processes inherit it.
os.environ.setdefault("ROS_DOMAIN_ID", str(random.randint(1, 101)))


@pytest.fixture
def spawn() -> Iterator[Callable[..., subprocess.Popen]]:
    """Start a command as a child process (output captured); stop it after the test."""
    children: list[subprocess.Popen] = []

    def start(command: list[str]) -> subprocess.Popen:
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(
            [str(TEST_DIR), os.environ.get("PYTHONPATH", "")]))
        child = subprocess.Popen(command, env=env, stdout=subprocess.PIPE,
                                 stderr=subprocess.STDOUT, text=True)
        children.append(child)
        return child

    yield start
    for child in children:
        child.terminate()
        try:
            child.wait(timeout=10)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


@pytest.fixture
def spawn_helper(spawn) -> Callable[..., subprocess.Popen]:
    """Start `python -m helpers.<module> args...` as a child process."""
    return lambda module, *args: spawn([sys.executable, "-m", f"helpers.{module}", *args])


@pytest.fixture
def listen() -> Iterator[Callable[..., object]]:
    """Make listeners in this process: listen(topics) or listen(namespaces, cameras=True)."""
    from helpers.ros_listener import CameraListener, RosListener

    made = []

    def make(what: list, cameras: bool = False) -> RosListener:
        made.append(CameraListener(what) if cameras else RosListener(what))
        return made[-1]

    yield make
    for listener in made:
        listener.close()


@pytest.fixture
def small_disk(tmp_path) -> Iterator[Callable[[str], Path]]:
    """Mounts a tmpfs of the given size (e.g. "64k") in tmp_path: a disk that fills up.
    Skips where mounting needs a root this run does not have."""
    mounted: list[Path] = []

    def mount(size: str) -> Path:
        disk = tmp_path / f"disk_{len(mounted)}"
        disk.mkdir()
        if os.geteuid() != 0 or subprocess.run(
                ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(disk)],
                capture_output=True).returncode:
            pytest.skip("mounting a small tmpfs needs root")
        mounted.append(disk)
        return disk

    yield mount
    for disk in mounted:
        subprocess.run(["umount", str(disk)], check=False)
