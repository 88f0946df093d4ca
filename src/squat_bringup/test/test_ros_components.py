"""Optional ROS 2 parts are recognised by what they contain, not by their module name alone."""

from __future__ import annotations

import sys

import pytest

from squat_bringup.ros_components import _Probe, _probe, ros_components


@pytest.fixture
def module_dir(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(tmp_path))
    yield tmp_path
    for name in ("fake_launch", "fake_other"):
        sys.modules.pop(name, None)


def test_missing_module_is_not_available():
    component = _probe(_Probe("nothing", module="squat_no_such_module_here"))
    assert (component.available, component.where) == (False, "not importable")


def test_a_bare_folder_is_not_the_package(module_dir):
    (module_dir / "fake_launch").mkdir()
    component = _probe(_Probe("launch", module="fake_launch", attribute="LaunchDescription"))
    assert component.available is False
    assert component.where == "'fake_launch' is only a folder on sys.path"


def test_a_same_named_unrelated_module_is_not_the_package(module_dir):
    (module_dir / "fake_launch.py").write_text("def launch():\n    pass\n")
    component = _probe(_Probe("launch", module="fake_launch", attribute="LaunchDescription"))
    assert component.available is False
    assert component.where.endswith("fake_launch.py is not the ROS 2 package")


def test_the_real_thing_is_available(module_dir):
    (module_dir / "fake_launch.py").write_text("class LaunchDescription:\n    pass\n")
    component = _probe(_Probe("launch", module="fake_launch", attribute="LaunchDescription"))
    assert component.available is True
    assert component.where == str(module_dir / "fake_launch.py")


def test_a_module_that_fails_to_import_is_not_available(module_dir):
    (module_dir / "fake_other.py").write_text("raise RuntimeError('broken install')\n")
    component = _probe(_Probe("other", module="fake_other", attribute="anything"))
    assert component.available is False
    assert component.where == "import failed: broken install"


def test_executables_are_looked_up_on_path(tmp_path, monkeypatch):
    tool = tmp_path / "rviz2"
    tool.write_text("#!/bin/sh\n")
    tool.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    assert _probe(_Probe("rviz2", executable="rviz2")).available is True
    monkeypatch.setenv("PATH", "/nonexistent")
    assert _probe(_Probe("rviz2", executable="rviz2")).where == "not on PATH"


def test_every_optional_part_is_reported():
    names = [component.name for component in ros_components()]
    assert names == ["launch (ros2 launch)", "launch_ros", "ros2 CLI", "message_filters",
                     "cv_bridge", "rosbag2_py", "tf2_ros", "rviz2", "rqt"]
