"""pose_node scores against a reference and swaps it through SetReference, across processes."""

from __future__ import annotations

import math
import subprocess
import time

import pytest

from conftest import REPO_ROOT
from helpers.ros2_run import ros2_run
from squat_common.qos import REFERENCE_QOS, REP_QOS
from squat_msgs.msg import ReferenceSummary, RepSummary, SquatState
from squat_msgs.srv import SetReference
from squat_pose.reference import load_reference


def coach(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(REPO_ROOT / "scripts" / "coach"), *args], capture_output=True,
                          text=True, timeout=300)


@pytest.fixture(scope="module")
def references(tmp_path_factory):
    """Two answer sheets of the virtual athlete: a brisk squat and a slow one."""
    folder = tmp_path_factory.mktemp("references")
    made = {}
    tempos = {"brisk": ["--descent", "1.2"], "slow": ["--descent", "2.6", "--ascent", "2.4"]}
    for name, tempo in tempos.items():
        rendered = coach("render-athlete", "-o", str(folder / name), "--reps", "1",
                         "--cameras", "side", *tempo)
        assert rendered.returncode == 0, rendered.stderr[-2000:]
        built = coach("reference", "build", "--side", str(folder / name / "side.mp4"),
                      "-o", str(folder / f"{name}.json"))
        assert built.returncode == 0, built.stderr[-2000:]
        made[name] = folder / f"{name}.json"
    broken = folder / "broken.json"
    broken.write_text(made["slow"].read_text()[:500])
    made["broken"] = broken
    return made


def test_a_good_reference_switches_and_a_broken_one_is_refused(spawn, listen, references):
    listener = listen([("squat/state", SquatState, 200), ("squat/rep", RepSummary, REP_QOS),
                       ("squat/reference", ReferenceSummary, REFERENCE_QOS)])
    states, reps = listener.received["squat/state"], listener.received["squat/rep"]
    spawn(ros2_run("squat_pose", "pose_node", "-p", f"reference_path:={references['brisk']}"))
    client = listener.node.create_client(SetReference, "squat/set_reference")
    listener.spin(30, client.service_is_ready)
    assert client.service_is_ready(), "pose_node did not come up"
    listener.spin(5, lambda: bool(listener.received["squat/reference"]))
    assert listener.received["squat/reference"][-1].name == "brisk"

    start = f"start_time:={time.time() + 4.0}"
    for view in ("front", "side"):
        spawn(ros2_run("squat_virtual_athlete", "virtual_camera_node", "-r", f"__ns:=/{view}",
                       "-p", start, "-p", "athlete.reps:=2", "-p", "athlete.rest_s:=2.0"))
    listener.spin(40, lambda: len(reps) >= 1)
    assert reps and math.isfinite(reps[0].score), "the first rep is scored against brisk"
    brisk_frames = len(load_reference(references["brisk"]).times_s)
    assert max(s.reference_frame_index for s in states) < brisk_frames

    def set_reference(path) -> SetReference.Response:
        future = client.call_async(SetReference.Request(path=str(path)))
        listener.spin(20, future.done)
        assert future.done(), "SetReference did not answer"
        return future.result()

    switched = set_reference(references["slow"])
    assert switched.success and switched.summary.name == "slow", switched.message
    refused = set_reference(references["broken"])
    assert not refused.success and "previous reference stays" in refused.message
    assert refused.summary.name == "slow"
    first_after = len(states)

    listener.spin(40, lambda: len(reps) >= 2)
    assert len(reps) >= 2 and math.isfinite(reps[1].score)
    slow_frames = len(load_reference(references["slow"]).times_s)
    later = [s.reference_frame_index for s in states[first_after:]]
    # The slow reference is longer: its frame indices run past the brisk one's.
    assert max(later) >= brisk_frames and max(later) < slow_frames
    assert listener.received["squat/reference"][-1].name == "slow"
