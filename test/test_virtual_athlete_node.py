"""The virtual athlete as camera nodes, and `coach run` on it, through real rclpy processes."""

from __future__ import annotations

import os
import subprocess
import time

import numpy as np
import pytest

from conftest import REPO_ROOT
from helpers.ros2_run import ros2_run
from squat_common.stamps import stamp_ns
from squat_msgs.msg import Feedback, RepSummary, SquatState
from squat_virtual_athlete.camera import VirtualCamera
from squat_virtual_athlete.session import VirtualSession
from squat_virtual_athlete.spec import AthleteSpec, parse_faults

# 10 fps, not the default 30: two cameras rendering 30 full frames a second each, and this
# process taking them all, saturate 2 cores, and each camera then drops its own instants (in
# one clean CI run 68 of 82 frames were shared). The grid is what is tested, not the rate.
FPS = 10.0
PERIOD_NS = round(1e9 / FPS)


def test_two_virtual_cameras_render_the_same_instants_with_true_intrinsics(spawn, listen):
    listener = listen(["front", "side"], cameras=True)
    start_s = round(time.time() + 4.0, 3)
    for view in ("front", "side"):
        spawn(ros2_run("squat_virtual_athlete", "virtual_camera_node", "-r", f"__ns:=/{view}",
                       "-p", "athlete.reps:=1", "-p", f"start_time:={start_s}",
                       "-p", "athlete.faults:=knee_valgus", "-p", f"framerate:={FPS}"))
    listener.spin(9.0)

    images = {v: {stamp_ns(m): m for m in listener.images[v]}
              for v in ("front", "side")}
    # ~50 frames each on an idle machine; a busy one drops some, which the test allows for.
    assert len(images["front"]) > 20 and len(images["side"]) > 20
    start_ns = round(start_s * 1e9)
    for view in ("front", "side"):
        assert all((s - start_ns) % PERIOD_NS == 0 for s in images[view]), "off the grid"
    # Both render the same grid instants; a frame lost to a busy machine has no partner.
    shared = sorted(set(images["front"]) & set(images["side"]))
    assert len(shared) >= 0.9 * min(len(images["front"]), len(images["side"]))

    info = listener.infos["side"][-1]
    expected = VirtualCamera.default("side")
    assert list(info.k) == pytest.approx(expected.matrix.ravel().tolist())
    assert info.header.frame_id == "side_optical_frame"

    # A frame published by a node is the frame rendered offline for the same instant.
    stamp = next(s for s in shared if s > start_ns + 2 * 10**9)
    index = (stamp - start_ns) // PERIOD_NS
    session = VirtualSession(AthleteSpec(reps=1, faults=parse_faults("knee_valgus")),
                             [expected])
    offline = session.render("side", session.at(index * PERIOD_NS / 1e9), index)
    message = images["side"][stamp]
    published = np.frombuffer(message.data, np.uint8).reshape(message.height, message.width, 3)
    assert np.array_equal(published, offline)


def test_coach_run_without_cameras_coaches_the_virtual_athlete(listen, tmp_path):
    listener = listen([("/squat/state", SquatState, 100), ("/squat/rep", RepSummary, 100),
                       ("/squat/feedback", Feedback, 100)])
    # The default session: 5 reps starting 3 s after launch, about 26 s in all; the run ends
    # by itself once the athlete is done and every rep is coached.
    run = subprocess.Popen([str(REPO_ROOT / "scripts" / "coach"), "run"],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                           env=dict(os.environ, XDG_DATA_HOME=str(tmp_path)))
    try:
        listener.spin(90.0, until=lambda: run.poll() is not None)
    finally:
        if run.poll() is None:
            run.terminate()
        output = run.communicate(timeout=20)[0]
    assert "no camera device configured: showing the virtual athlete" in output
    assert "to use real cameras: scripts/coach run --front" in output
    reps = listener.received["/squat/rep"]
    states = listener.received["/squat/state"]
    # ~700 pairs; pose_node drops the oldest waiting pairs by design when MediaPipe falls
    # behind, so the count depends on load; the five reps below show it kept up with the squat.
    assert len(states) > 100, output[-2000:]
    assert [r.rep_index for r in reps] == [1, 2, 3, 4, 5], output[-2000:]
    assert sum(s.front.detected and s.side.detected for s in states) >= 0.95 * len(states)
    feedback = listener.received["/squat/feedback"]
    assert [f.rep_index for f in feedback] == [1, 2, 3, 4, 5], "every rep is coached"
    assert all(f.text.startswith(f"Rep {f.rep_index}") and f.source_ids for f in feedback)
