"""Which parts of a full ROS 2 Jazzy installation this machine has.

The PyPI wheels bring the ROS 2 core only; launch, the ros2 CLI, message_filters, cv_bridge,
rosbag2, tf2, RViz and rqt come with a ROS distribution. squat coach uses each where it is
installed, so it needs to know which are. Imports no rclpy.
"""

from __future__ import annotations

import importlib.util
import shutil
from dataclasses import dataclass


@dataclass(frozen=True)
class Component:
    """One optional part of ROS 2 and whether it is here."""

    name: str
    available: bool
    where: str


@dataclass(frozen=True)
class _Probe:
    name: str
    module: str | None = None
    attribute: str | None = None
    executable: str | None = None


# `attribute` guards against unrelated PyPI packages that take the same module name (PyPI's
# `launch` is a 2017 project that has nothing to do with ROS).
_PROBES = (
    _Probe("launch (ros2 launch)", module="launch", attribute="LaunchDescription"),
    _Probe("launch_ros", module="launch_ros", attribute="actions"),
    _Probe("ros2 CLI", executable="ros2"),
    _Probe("message_filters", module="message_filters", attribute="ApproximateTimeSynchronizer"),
    _Probe("cv_bridge", module="cv_bridge", attribute="CvBridge"),
    _Probe("rosbag2_py", module="rosbag2_py", attribute="SequentialReader"),
    _Probe("tf2_ros", module="tf2_ros", attribute="StaticTransformBroadcaster"),
    _Probe("rviz2", executable="rviz2"),
    _Probe("rqt", module="rqt_gui", attribute="main"),
)


def _probe(probe: _Probe) -> Component:
    if probe.executable is not None:
        path = shutil.which(probe.executable)
        return Component(probe.name, path is not None, path or "not on PATH")
    assert probe.module is not None
    spec = importlib.util.find_spec(probe.module)
    if spec is None:
        return Component(probe.name, False, "not importable")
    if spec.origin is None:
        return Component(probe.name, False, f"'{probe.module}' is only a folder on sys.path")
    if probe.attribute is not None:
        try:
            module = importlib.import_module(probe.module)
        except Exception as error:
            return Component(probe.name, False, f"import failed: {error}")
        if not hasattr(module, probe.attribute):
            return Component(probe.name, False, f"{spec.origin} is not the ROS 2 package")
    return Component(probe.name, True, spec.origin)


def ros_components() -> list[Component]:
    """Probe every optional ROS 2 part, in a stable order."""
    return [_probe(probe) for probe in _PROBES]
