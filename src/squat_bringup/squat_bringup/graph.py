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

# The virtual cameras and file cameras start their session this long after launch, so every
# camera (and a recorder) is up before the first frame.
START_DELAY_S = 3.0
CAMERA_DRIVER = ("squat_camera", "camera_node")
VIRTUAL_CAMERA = ("squat_virtual_athlete", "virtual_camera_node")
REAL_CAMERAS_HINT = ("to use real cameras: scripts/coach run --front /dev/video0 --side "
                     "/dev/video2 (or ros2 launch squat_bringup squat_coach.launch.py "
                     "front:=/dev/video0 side:=/dev/video2)")


class GraphError(ValueError):
    """A graph file that cannot be read, with the reason."""


@dataclass(frozen=True)
class NodeLaunch:
    """One node to start: its package, executable, namespace, and the parameters this launch
    gives it on top of the parameters file (the device and start time a camera was given).

    `camera` names a camera slot: the device given for it, or the virtual athlete.
    `stops_last`: a node that records the others, stopped once they have ended, so what they
    send while stopping is kept.
    """

    package: str
    executable: str
    namespace: str = ""
    parameters: dict[str, Any] = field(default_factory=dict)
    camera: str = ""
    stops_last: bool = False

    @property
    def label(self) -> str:
        """How logs name this node: namespace/executable."""
        return f"{self.namespace}/{self.executable}" if self.namespace else self.executable


def config_file(name: str) -> Path:
    """A file of squat_bringup's config/ as installed (or in the source tree)."""
    try:
        from ament_index_python.packages import get_package_share_directory

        return Path(get_package_share_directory("squat_bringup")) / "config" / name
    except (ImportError, LookupError, OSError):
        return Path(__file__).resolve().parents[1] / "config" / name


def default_graph_file() -> Path:
    """config/squat_coach.yaml: the nodes, namespaces and camera slots."""
    return config_file("squat_coach.yaml")


def rviz_config() -> Path:
    """The RViz configuration (top-level rviz/, installed into squat_bringup's share)."""
    try:
        from ament_index_python.packages import get_package_share_directory

        return Path(get_package_share_directory("squat_bringup")) / "rviz" / "squat.rviz"
    except (ImportError, LookupError, OSError):
        return Path(__file__).resolve().parents[3] / "rviz" / "squat.rviz"


def default_params_file() -> Path:
    """config/squat_coach.params.yaml: the parameters that differ from the nodes' defaults."""
    return config_file("squat_coach.params.yaml")


def load_graph(path: Path) -> list[NodeLaunch]:
    """The nodes of a graph file; GraphError says what is wrong with it."""
    try:
        data = yaml.safe_load(path.read_text())
        nodes = [NodeLaunch(str(n["package"]), str(n["executable"]),
                            str(n.get("namespace") or ""), {}, str(n.get("camera") or ""))
                 for n in data["nodes"]]
    except (OSError, yaml.YAMLError, KeyError, TypeError) as error:
        raise GraphError(f"cannot read the node graph {path}: {error}") from error
    if not nodes:
        raise GraphError(f"the node graph {path} has no nodes")
    return nodes


def device_path(device: str) -> str:
    """The path a device is found at: an index such as 0 is /dev/video0 (as usb_cam reads it)."""
    return f"/dev/video{device}" if device.isdigit() else device


def choose_cameras(nodes: list[NodeLaunch], devices: dict[str, str | None],
                   exists: Callable[[str], bool] = os.path.exists,
                   now_s: Callable[[], float] = time.time
                   ) -> tuple[list[NodeLaunch], list[str]]:
    """Nodes with every camera slot resolved, and what was chosen, as log lines.

    `devices` maps a camera slot to the device the user gave (or None). A slot whose device is
    missing or not found shows the virtual athlete. Every file, folder and virtual camera is
    given one shared start time, so their frames pair however late each process comes up.
    """
    chosen, notes = [], []
    start = round(now_s() + START_DELAY_S, 3)
    virtual = []
    for node in nodes:
        if not node.camera:
            chosen.append(node)
            continue
        device = devices.get(node.camera)
        if device and exists(device_path(device)):
            notes.append(f"{node.camera} camera: {device}")
            live = device_path(device).startswith("/dev/")
            parameters = {"video_device": device, **({} if live else {"start_time": start})}
            chosen.append(replace(node, package=CAMERA_DRIVER[0], executable=CAMERA_DRIVER[1],
                                  parameters={**node.parameters, **parameters}))
            continue
        reason = (f"{device} not found" if device else "no camera device configured")
        notes.append(f"{node.camera} camera: {reason}: showing the virtual athlete")
        virtual.append(node.camera)
        chosen.append(replace(node, package=VIRTUAL_CAMERA[0], executable=VIRTUAL_CAMERA[1],
                              parameters={**node.parameters, "start_time": start}))
    if virtual:
        notes.append(REAL_CAMERAS_HINT)
    return chosen, notes


def started_at(node: NodeLaunch, start_s: float) -> NodeLaunch:
    """`node` with the shared start time moved to `start_s`, if it has one (files, folders
    and virtual cameras): `coach run` sets it once the pose node listens."""
    if "start_time" not in node.parameters:
        return node
    return replace(node, parameters={**node.parameters, "start_time": round(start_s, 3)})


def ros_arguments(node: NodeLaunch, params_file: Path | None = None) -> list[str]:
    """The `--ros-args ...` of `node` on a command line: the parameters file first, so the
    values this launch gives (`-p`) override it."""
    args = ["--ros-args"]
    if params_file is not None:
        args += ["--params-file", str(params_file)]
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
    text = str(value)
    if isinstance(value, str) and _reads_back(text) != text:
        return "'" + text.replace("'", "''") + "'"  # '' (no reference), 'on', '1.5', 'a: b'
    return text


def _reads_back(text: str) -> Any:
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return None
