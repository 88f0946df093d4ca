"""The command line `ros2 run PACKAGE EXECUTABLE` would start (the ros2 CLI may be absent)."""

from __future__ import annotations

from pathlib import Path

from ament_index_python.packages import get_package_prefix


def ros2_run(package: str, executable: str, *ros_args: str) -> list[str]:
    path = Path(get_package_prefix(package)) / "lib" / package / executable
    if not path.is_file():
        raise FileNotFoundError(f"{package} installs no executable {executable} ({path})")
    return [str(path), *(["--ros-args", *ros_args] if ros_args else [])]
