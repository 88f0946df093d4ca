"""`coach run`: starts the node graph as processes and stops them together.

Where `ros2 launch` exists the launch file does the same from the same graph; this runner is
the path for machines without the launch system (PyPI wheels).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from squat_bringup.graph import NodeLaunch, ros_arguments

STOP_GRACE_S = 5.0


class RunnerError(RuntimeError):
    """A node that cannot be started, with the reason."""


def executable_path(node: NodeLaunch) -> Path:
    """Where colcon installed the node's executable (lib/<package>/<executable>)."""
    try:
        from ament_index_python.packages import get_package_prefix

        prefix = Path(get_package_prefix(node.package))
    except (ImportError, LookupError, OSError) as error:
        raise RunnerError(f"package {node.package} is not installed (source "
                          "scripts/env.sh, or run scripts/setup)") from error
    path = prefix / "lib" / node.package / node.executable
    if not os.access(path, os.X_OK):
        raise RunnerError(f"{path} is missing or not executable")
    return path


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def run_graph(nodes: list[NodeLaunch], params_file: Path | None = None,
              duration_s: float | None = None) -> int:
    """Run every node (with `params_file`) until Ctrl-C (or SIGTERM), `duration_s`, or one of
    them exits; their worst exit code."""
    commands = [[str(executable_path(node)), *ros_arguments(node, params_file)]
                for node in nodes]
    processes: list[subprocess.Popen] = []
    interrupted = False
    # A service manager or a test stops the runner with SIGTERM: the nodes must stop with it.
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        for node, command in zip(nodes, commands, strict=True):
            print(f"[coach] starting {node.label}", file=sys.stderr)
            processes.append(subprocess.Popen(command))
        deadline = None if duration_s is None else time.monotonic() + duration_s
        while all(p.poll() is None for p in processes):
            if deadline is not None and time.monotonic() >= deadline:
                break
            time.sleep(0.1)
        for node, process in zip(nodes, processes, strict=True):
            if process.poll() is not None:
                print(f"[coach] {node.label} exited with {process.returncode}", file=sys.stderr)
    except KeyboardInterrupt:
        interrupted = True
    finally:
        signal.signal(signal.SIGTERM, previous)
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
        deadline = time.monotonic() + STOP_GRACE_S
        for process in processes:
            try:
                process.wait(max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
    if interrupted:
        return 0
    codes = [p.returncode for p in processes]
    # A node stopped by our own SIGINT at the end of the run is a clean stop.
    return max((c for c in codes if c not in (0, -signal.SIGINT)), default=0)
