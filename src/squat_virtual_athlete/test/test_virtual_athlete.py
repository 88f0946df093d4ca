"""The virtual athlete without MediaPipe or ROS: spec, motion, skeleton, cameras, truth, frames."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from squat_common.rotations import quaternion_xyzw
from squat_virtual_athlete.camera import VirtualCamera
from squat_virtual_athlete.ground_truth import anatomical_angles
from squat_virtual_athlete.motion import (
    ASCENT,
    BOTTOM,
    DESCENT,
    STANDING,
    MotionState,
    SquatProgram,
)
from squat_virtual_athlete.render_cli import main as render_main
from squat_virtual_athlete.session import VirtualSession
from squat_virtual_athlete.skeleton import SkeletonModel
from squat_virtual_athlete.spec import (
    DEFAULT_FAULT_SIZES,
    AthleteSpec,
    FaultSpec,
    SpecError,
    parse_faults,
)


def bottom_time(spec: AthleteSpec, rep: int = 1) -> float:
    plan = SquatProgram(spec).reps[rep - 1]
    return (plan.bottom_s + plan.rise_s) / 2


def truth_at(spec: AthleteSpec, time_s: float) -> dict[str, float]:
    program, model = SquatProgram(spec), SkeletonModel(spec)
    return anatomical_angles(model.pose(program.at(time_s)).landmarks)


def test_faults_parse_with_sizes_reps_and_defaults():
    assert parse_faults("knee_valgus:12@2,4; heel_lift") == (
        FaultSpec("knee_valgus", 12.0, (2, 4)),
        FaultSpec("heel_lift", DEFAULT_FAULT_SIZES["heel_lift"], ()))
    assert parse_faults(" ") == ()


@pytest.mark.parametrize("text, reason", [
    ("valgus:10", "unknown fault 'valgus'"),
    ("knee_valgus:ten", "cannot read fault"),
    ("knee_valgus@0", "counted from 1"),
])
def test_bad_faults_are_refused_with_the_reason(text, reason):
    with pytest.raises(SpecError, match=reason):
        parse_faults(text)


def test_spec_problems_name_each_bad_value():
    spec = AthleteSpec(reps=2, height_m=3.0, descent_s=0.0,
                       faults=(FaultSpec("heel_lift", 0.03, (3,)),))
    problems = " ".join(spec.problems())
    assert "height_m 3.0" in problems and "descent_s" in problems
    assert "names rep(s) (3,) of only 2" in problems
    assert AthleteSpec().problems() == []


def test_program_runs_reps_through_the_phases_in_order():
    spec = AthleteSpec(reps=3)
    program = SquatProgram(spec)
    states = [program.at(i / 30) for i in range(int(program.duration_s * 30) + 1)]
    phases = [s.phase for s in states]
    compact = [p for i, p in enumerate(phases) if i == 0 or p != phases[i - 1]]
    assert compact == [STANDING] + [DESCENT, BOTTOM, ASCENT, STANDING] * 3
    assert states[-1].reps_completed == 3
    assert max(s.progress for s in states) == 1.0
    bottoms = [program.at(bottom_time(spec, r)).knee_flexion_deg for r in (1, 2, 3)]
    assert all(abs(b - (180 - spec.min_knee_angle_deg)) <= 3.0 for b in bottoms)


def test_same_seed_same_program_and_variability_zero_gives_identical_reps():
    assert SquatProgram(AthleteSpec(seed=4)).reps == SquatProgram(AthleteSpec(seed=4)).reps
    assert SquatProgram(AthleteSpec(seed=4)).reps != SquatProgram(AthleteSpec(seed=5)).reps
    reps = SquatProgram(AthleteSpec(variability=0.0)).reps
    assert len({round(r.end_s - r.start_s, 9) for r in reps}) == 1
    assert len({r.max_flexion_deg for r in reps}) == 1


def test_segments_keep_their_length_and_feet_stay_down_through_a_session():
    spec = AthleteSpec(reps=1, faults=parse_faults("knee_valgus; lateral_shift; forward_lean"))
    program, model = SquatProgram(spec), SkeletonModel(spec)
    lengths = []
    for i in range(0, int(program.duration_s * 30), 3):
        lm = model.pose(program.at(i / 30)).landmarks
        lengths.append([np.linalg.norm(lm[f"{s}_{a}"] - lm[f"{s}_{b}"])
                        for s in ("left", "right")
                        for a, b in (("hip", "knee"), ("knee", "ankle"), ("shoulder", "elbow"),
                                     ("elbow", "wrist"))])
        assert lm["left_heel"][2] == pytest.approx(lm["left_foot_index"][2])
    lengths = np.array(lengths)
    assert np.ptp(lengths, axis=0).max() < 1e-4  # 0.1 mm: a straight leg is clamped by 1 um


def test_truth_follows_the_plan_at_the_bottom():
    clean = AthleteSpec(reps=1, variability=0.0)
    angles = truth_at(clean, bottom_time(clean))
    planned = 180 - clean.min_knee_angle_deg
    assert angles["knee_flexion_3d_left"] == pytest.approx(planned, abs=1.0)
    assert angles["knee_flexion_3d_right"] == pytest.approx(planned, abs=1.0)
    assert angles["depth"] < 0, "the default squat goes below parallel"
    standing = truth_at(clean, 0.0)
    assert standing["knee_flexion_3d_left"] < 2 and abs(standing["trunk_lean"]) < 5


def test_valgus_brings_the_projection_angle_to_its_size_at_60_degrees_of_flexion():
    def fppa(faults: dict[str, float]) -> tuple[float, float]:
        model = SkeletonModel(AthleteSpec())
        motion = MotionState(0.0, DESCENT, 1, 0, 60 / 130, 60.0, faults)
        angles = anatomical_angles(model.pose(motion).landmarks)
        return angles["knee_valgus_left"], angles["knee_valgus_right"]

    clean, faulty = fppa({}), fppa({"knee_valgus": 12.0})
    assert clean[0] < 0 and clean[1] < 0, "knees over turned-out toes read outward"
    assert faulty == pytest.approx((12.0, 12.0), abs=0.1)


@pytest.mark.parametrize("fault, measure, expected", [
    ("forward_lean:20", "trunk_lean", 20.0),
    ("insufficient_depth:40", "knee_flexion_3d_left", -40.0),
])
def test_each_fault_changes_its_truth_by_its_size_at_the_bottom(fault, measure, expected):
    clean = AthleteSpec(reps=1, variability=0.0)
    faulty = AthleteSpec(reps=1, variability=0.0, faults=parse_faults(fault))
    change = truth_at(faulty, bottom_time(faulty))[measure] - \
        truth_at(clean, bottom_time(clean))[measure]
    assert change == pytest.approx(expected, abs=1.0)


def test_heel_lift_and_lateral_shift_have_their_size_in_metres():
    spec = AthleteSpec(reps=1, variability=0.0,
                       faults=parse_faults("heel_lift:0.04; lateral_shift:0.08"))
    model, program = SkeletonModel(spec), SquatProgram(spec)
    skeleton = model.pose(program.at(bottom_time(spec)))
    assert skeleton.landmarks["left_heel"][2] - skeleton.landmarks["left_foot_index"][2] == \
        pytest.approx(0.04, abs=0.002)
    assert skeleton.points["pelvis"][1] == pytest.approx(0.08)


def test_faults_stay_in_their_reps():
    spec = AthleteSpec(reps=3, faults=parse_faults("knee_valgus:15@2"))
    program = SquatProgram(spec)
    assert "knee_valgus" not in program.at(bottom_time(spec, 1)).faults
    assert program.at(bottom_time(spec, 2)).faults["knee_valgus"] == pytest.approx(15.0)
    assert "knee_valgus" not in program.at(bottom_time(spec, 3)).faults


def test_cameras_follow_rep_103_and_aim_at_the_target():
    front = VirtualCamera.default("front")
    pixels, depth = front.project(np.array([[0.0, 0.0, 0.8], [0.0, 0.5, 0.8], [0.0, 0.0, 1.5]]))
    assert pixels[0] == pytest.approx([front.cx, front.cy])
    assert pixels[1, 0] > front.cx, "facing the camera, the athlete's left is the image right"
    assert pixels[2, 1] < front.cy, "up in the world is up in the image"
    assert depth[0] == pytest.approx(math.dist((3.5, 0, 1.0), (0, 0, 0.8)))
    x, y, z, w = quaternion_xyzw(front.rotation)
    # The quaternion rotates the optical z axis onto the viewing direction.
    q = np.array([x, y, z])
    axis = np.array([0.0, 0.0, 1.0])
    rotated = axis + 2 * np.cross(q, np.cross(q, axis) + w * axis)
    assert rotated == pytest.approx(front.rotation[:, 2])


def test_occlusion_hides_the_far_leg_from_the_side_camera_only():
    spec = AthleteSpec(reps=1)
    session = VirtualSession(spec, [VirtualCamera.default("front"),
                                    VirtualCamera.default("side")], noise_sigma=0.0)
    truth = session.truth(session.at(bottom_time(spec)), 0)
    side, front = truth["views"]["side"], truth["views"]["front"]
    assert not side["left_knee"]["occluded"] and side["right_knee"]["occluded"]
    assert not side["left_eye"]["occluded"] and side["right_eye"]["occluded"]
    assert not front["left_knee"]["occluded"] and not front["right_knee"]["occluded"]
    assert not front["nose"]["occluded"]
    assert all(v["in_image"] for v in front.values())


def test_same_parameters_and_seed_give_byte_identical_frames():
    def frames(seed: int) -> list[bytes]:
        spec = AthleteSpec(reps=1, seed=seed, faults=parse_faults("knee_valgus"))
        session = VirtualSession(spec, [VirtualCamera.default("side")])
        return [session.render("side", session.at(t), i).tobytes()
                for i, t in enumerate((0.0, 2.0, 3.0))]

    assert frames(3) == frames(3)
    assert frames(3) != frames(4)


def test_frames_show_a_body_where_the_truth_says_it_is():
    spec = AthleteSpec(reps=1)
    session = VirtualSession(spec, [VirtualCamera.default("front")], noise_sigma=0.0)
    empty = VirtualSession(AthleteSpec(reps=1, height_m=1.2), [VirtualCamera.default("front")],
                           noise_sigma=0.0)
    instant = session.at(0.0)
    image = session.render("front", instant, 0).astype(int)
    truth = session.truth(instant, 0)["views"]["front"]
    u, v = (round(c) for c in truth["nose"]["pixel"])
    hip_u, hip_v = (round(c) for c in truth["left_hip"]["pixel"])
    background = empty.render("front", empty.at(0.0), 0).astype(int)
    # The 1.2 m athlete's head is far below the 1.75 m one's: there the first shows wall.
    assert np.abs(image[v, u] - background[v, u]).sum() > 60
    assert image[hip_v, hip_u].sum() < 300, "dark shorts at the hip"


def test_render_athlete_writes_videos_truth_and_a_contact_sheet(tmp_path):
    code = render_main(["-o", str(tmp_path), "--reps", "1", "--fps", "10", "--faults",
                        "heel_lift"])
    assert code == 0
    truth = json.loads((tmp_path / "ground_truth.json").read_text())
    assert set(truth["cameras"]) == {"front", "side"}
    assert truth["cameras"]["front"]["K"][0][0] == pytest.approx(320 / math.tan(math.pi / 6))
    assert truth["frame_count"] == len(truth["frames"])
    assert {f["phase"] for f in truth["frames"]} == {"standing", "descent", "bottom", "ascent"}
    assert any(f["faults"].get("heel_lift", 0) > 0.03 for f in truth["frames"])
    import cv2

    for view in ("front", "side"):
        capture = cv2.VideoCapture(str(tmp_path / f"{view}.mp4"))
        count = 0
        while capture.grab():
            count += 1
        assert count == truth["frame_count"]
    sheet = cv2.imread(str(tmp_path / "contact_sheet.png"))
    assert sheet.shape == (4 * 240, 2 * 320, 3)


def test_render_athlete_refuses_a_bad_spec(tmp_path, capsys):
    assert render_main(["-o", str(tmp_path), "--faults", "wobble"]) == 2
    assert "unknown fault 'wobble'" in capsys.readouterr().err
