"""A second scripts/setup on a set-up workspace changes nothing and exits 0."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from conftest import REPO_ROOT

WATCHED = (".venv", "install", "build")


def snapshot(root: Path) -> dict[str, tuple[int, int]]:
    """Size and modification time of every file setup owns (bytecode caches excepted)."""
    files = {}
    for top in WATCHED:
        for directory, subdirectories, names in os.walk(root / top):
            subdirectories[:] = [d for d in subdirectories if d != "__pycache__"]
            for name in names:
                path = Path(directory) / name
                status = path.lstat()
                files[str(path.relative_to(root))] = (status.st_size, status.st_mtime_ns)
    return files


def test_second_setup_changes_nothing():
    before = snapshot(REPO_ROOT)
    assert before, "the workspace is not set up (scripts/test runs scripts/setup first)"

    result = subprocess.run(
        [str(REPO_ROOT / "scripts" / "setup")], capture_output=True, text=True, timeout=300,
        env={key: value for key, value in os.environ.items() if key != "VIRTUAL_ENV"},
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "python environment up to date" in result.stdout
    assert "workspace build up to date" in result.stdout
    after = snapshot(REPO_ROOT)
    changed = sorted(path for path in before.keys() | after.keys()
                     if before.get(path) != after.get(path))
    assert changed == []
