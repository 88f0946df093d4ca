"""Child process: serve squat_msgs' services with answers derived from the request.

This is a stand-in for the pose node (SetReference) and the feedback node (AskCoach), which
own the real services; it exists to prove the service interfaces cross processes intact.
Usage: python -m helpers.interface_test_server
"""

from __future__ import annotations

import os
import sys

import rclpy
from rclpy.node import Node

from squat_common.node_runner import run_node
from squat_msgs.srv import AskCoach, SetReference


def set_reference(request: SetReference.Request, response: SetReference.Response
                  ) -> SetReference.Response:
    if not os.path.isfile(request.path):
        response.success = False
        response.message = f"no reference file at {request.path}"
        return response
    response.success = True
    response.message = f"loaded {request.path}"
    response.summary.path = request.path
    response.summary.name = os.path.basename(request.path)
    response.summary.views = ["front", "side"]
    response.summary.frame_count = os.path.getsize(request.path)
    response.summary.duration_s = 5.5
    response.summary.rep_count = 1
    response.summary.min_knee_angle_deg = 118.25
    return response


def ask_coach(request: AskCoach.Request, response: AskCoach.Response) -> AskCoach.Response:
    response.answer = f"echo[{request.include_latest_rep}]: {request.question}"
    response.sources = ["squat-depth", "knee-valgus"]
    response.latency_ms = 12.5
    response.generator = "interface-test"
    return response


def interface_test_server() -> Node:
    node = rclpy.create_node("interface_test_server")
    node.create_service(SetReference, "set_reference", set_reference)
    node.create_service(AskCoach, "ask_coach", ask_coach)
    return node


def main() -> None:
    sys.exit(run_node(interface_test_server, "interface_test_server"))


if __name__ == "__main__":
    main()
