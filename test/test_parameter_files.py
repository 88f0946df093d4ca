"""Parameters as a ROS user handles them: a dump of a running node feeds a new one as it is.

`ros2 param dump` is not installed here (no ros2 CLI on PyPI); `dump` below is a stand-in
that writes what it writes: the node's full name, then ros__parameters nested by the dots of
each name, every parameter the node has.
"""

from __future__ import annotations

import yaml
from rcl_interfaces.msg import ParameterType
from rclpy.parameter import parameter_value_to_python
from rclpy.parameter_client import AsyncParameterClient

from helpers.ros2_run import ros2_run

NODE = "/front/virtual_camera_node"


def call(listener, future):
    listener.spin(15, future.done)
    assert future.done(), "no answer from the parameter service"
    return future.result()


def parameters(listener, client) -> dict[str, object]:
    names = call(listener, client.list_parameters()).result.names
    values = call(listener, client.get_parameters(names)).values
    return {name: parameter_value_to_python(value) for name, value in zip(names, values,
                                                                           strict=True)
            if value.type != ParameterType.PARAMETER_NOT_SET}


def dump(values: dict[str, object]) -> str:
    """ros2 param dump's layout (stand-in for the CLI)."""
    nested: dict = {}
    for name, value in sorted(values.items()):
        *parents, leaf = name.split(".")
        place = nested
        for parent in parents:
            place = place.setdefault(parent, {})
        place[leaf] = list(value) if isinstance(value, list | tuple) else value
    return yaml.safe_dump({NODE: {"ros__parameters": nested}})


def test_a_dumped_node_restarts_from_its_dump_with_the_same_parameters(spawn, listen, tmp_path):
    listener = listen([])
    client = AsyncParameterClient(listener.node, NODE)
    first = spawn(ros2_run("squat_virtual_athlete", "virtual_camera_node", "-r", "__ns:=/front",
                           "-p", "athlete.reps:=2", "-p", "athlete.faults:=heel_lift:0.03@2",
                           "-p", "athlete.camera_position:=[3.0, 0.5, 1.2]",
                           "-p", "jpeg_quality:=55", "-p", "framerate:=15"))
    listener.spin(30, client.services_are_ready)
    assert client.services_are_ready(), first.stdout.read() if first.poll() else "no node"
    before = parameters(listener, client)
    assert before["athlete.reps"] == 2 and before["framerate"] == 15.0
    assert before["athlete.faults"] == "heel_lift:0.03@2"
    (tmp_path / "dump.yaml").write_text(dump(before))
    first.terminate()
    first.wait(timeout=10)
    listener.spin(10, lambda: not client.services_are_ready())
    assert not client.services_are_ready(), "the first node is still in the graph"

    second = spawn(ros2_run("squat_virtual_athlete", "virtual_camera_node", "-r",
                            "__ns:=/front", "--params-file", str(tmp_path / "dump.yaml")))
    listener.spin(30, client.services_are_ready)
    assert client.services_are_ready(), second.stdout.read() if second.poll() else "no node"
    after = parameters(listener, client)
    assert after == before
