"""The node graph of squat coach, read from config/squat_coach.yaml, and its camera choice.

Pure (no rclpy, no launch): the launch file and `coach run` both build their processes from
what this module returns, so they cannot drift apart.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

AUTO = "auto"
VIRTUAL = "virtual"
# The virtual cameras start their session this long after launch, so every camera (and a
# recorder) is up before the first rep.
VIRTUAL_START_DELAY_S = 3.0
REAL_CAMERAS_HINT = ("to use real cameras: scripts/coach run --front /dev/video0 --side "
                     "/dev/video2 (or ros2 launch squat_bringup squat_coach.launch.py "
                     "front_device:=/dev/video0 side_device:=/dev/video2)")


class GraphError(ValueError):
    """A graph file that cannot be read, with the reason."""


@dataclass(frozen=True)
class NodeLaunch:
    """One node to start: its package, executable, namespace and parameters."""

    package: str
    executable: str
    namespace: str = ""
    parameters: dict[str, Any] = field(default_factory=dict)

    @property
    def label(self) -> str:
        """How logs name this node: namespace/executable."""
        return f"{self.namespace}/{self.executable}" if self.namespace else self.executable


def default_graph_file() -> Path:
    """config/squat_coach.yaml as installed (or in the source tree)."""
    try:
        from ament_index_python.packages import get_package_share_directory

        return Path(get_package_share_directory("squat_bringup")) / "config" / \
            "squat_coach.yaml"
    except (ImportError, LookupError, OSError):
        return Path(__file__).resolve().parents[1] / "config" / "squat_coach.yaml"


def load_graph(path: Path) -> list[NodeLaunch]:
    """The nodes of a graph file; GraphError says what is wrong with it."""
    try:
        data = yaml.safe_load(path.read_text())
        nodes = [NodeLaunch(str(n["package"]), str(n["executable"]),
                            str(n.get("namespace") or ""), dict(n.get("parameters") or {}))
                 for n in data["nodes"]]
    except (OSError, yaml.YAMLError, KeyError, TypeError) as error:
        raise GraphError(f"cannot read the node graph {path}: {error}") from error
    if not nodes:
        raise GraphError(f"the node graph {path} has no nodes")
    return nodes


def choose_cameras(nodes: list[NodeLaunch], devices: dict[str, str | None],
                   exists: Callable[[str], bool] = os.path.exists,
                   now_s: Callable[[], float] = time.time
                   ) -> tuple[list[NodeLaunch], list[str]]:
    """Nodes with every `auto` camera resolved, and what was chosen, as log lines.

    `devices` maps a camera's namespace to the device the user gave (or None). A camera whose
    device is missing or not found shows the virtual athlete; all virtual cameras share one
    start time, so their frames pair exactly.
    """
    chosen, notes = [], []
    start = round(now_s() + VIRTUAL_START_DELAY_S, 3)
    virtual = []
    for node in nodes:
        if node.parameters.get("video_device") != AUTO:
            chosen.append(node)
            continue
        device = devices.get(node.namespace)
        if device and exists(device):
            notes.append(f"{node.namespace} camera: {device}")
            chosen.append(replace(node, parameters={**node.parameters, "video_device": device}))
            continue
        reason = (f"{device} not found" if device else "no camera device configured")
        notes.append(f"{node.namespace} camera: {reason}: showing the virtual athlete")
        virtual.append(node.namespace)
        view = node.namespace if node.namespace in ("front", "side") else "front"
        chosen.append(replace(node, parameters={
            **node.parameters, "video_device": VIRTUAL, "athlete.view": view,
            "athlete.start_time": start}))
    if virtual:
        notes.append(REAL_CAMERAS_HINT)
    return chosen, notes


def ros_arguments(node: NodeLaunch) -> list[str]:
    """The `--ros-args ...` of `node` on a command line."""
    args = ["--ros-args"]
    if node.namespace:
        args += ["-r", f"__ns:=/{node.namespace}"]
    for name, value in node.parameters.items():
        args += ["-p", f"{name}:={_parameter_text(value)}"]
    return args


def _parameter_text(value: Any) -> str:
    # rcl reads -p values as YAML: booleans, numbers and lists must look like YAML ones.
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_parameter_text(v) for v in value) + "]"
    return str(value)
