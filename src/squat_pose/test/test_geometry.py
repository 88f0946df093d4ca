"""Joint angle definitions on hand-built poses: known geometry in, known angles out."""

from __future__ import annotations

import numpy as np
import pytest

from poses import pose, side_squat
from squat_pose.geometry import (
    ANKLES,
    HIP_WIDTH,
    BodyScale,
    StandingPoint,
    front_view_measures,
    interior_angle,
    normalised_pose,
    side_view_measures,
    squat_measures,
    tilt_from_vertical,
)
from squat_pose.landmarks import INDEX
from squat_pose.pose_estimation import mirrored

# A standing hip line 80 px wide, level (right hip to left, towards the athlete's left).
HIP_LINE = np.array([80.0, 0.0])


def test_interior_angle():
    b = np.array([0.0, 0.0])
    assert interior_angle(np.array([1.0, 0.0]), b, np.array([0.0, 1.0])) == pytest.approx(90)
    assert interior_angle(np.array([1.0, 0.0]), b, np.array([-1.0, 0.0])) == pytest.approx(180)
    assert np.isnan(interior_angle(b, b, np.array([1.0, 0.0])))


def test_tilt_from_vertical_is_signed_by_the_facing_direction():
    lower, upper = np.array([0.0, 0.0]), np.array([1.0, -1.0])
    assert tilt_from_vertical(lower, upper, forward=1.0) == pytest.approx(45)
    assert tilt_from_vertical(lower, upper, forward=-1.0) == pytest.approx(-45)


@pytest.mark.parametrize("facing", [1.0, -1.0])
@pytest.mark.parametrize("flexion", [0.0, 45.0, 90.0, 120.0])
def test_side_view_knee_flexion_and_depth(flexion, facing):
    measures = side_view_measures(side_squat(flexion, facing), torso_px=120.0)
    assert measures["knee_flexion_left"].value == pytest.approx(flexion, abs=1e-6)
    assert measures["ankle_dorsiflexion_left"].value == pytest.approx(0.0, abs=1e-6)
    assert measures["trunk_lean"].value == pytest.approx(0.0, abs=1e-6)
    # thigh from the knee: hip is 100 px up and back by the flexion angle
    assert measures["depth"].value == pytest.approx(100 * np.cos(np.radians(flexion)) / 120)
    assert measures["thigh_angle"].value == pytest.approx(90 - flexion, abs=1e-6)
    assert measures["knee_flexion_left"].view == "side"
    assert "asymmetry" not in measures


def test_heel_height_from_the_image_bottom_and_pitch_against_the_toe():
    flat = side_view_measures(side_squat(60.0), torso_px=120.0)
    # heel 10 px below the ankle at y 400 in a 480 px image; toe level with it
    assert flat["heel_height"].value == pytest.approx(70 / 120)
    assert flat["heel_pitch"].value == pytest.approx(0.0)
    lifted = side_squat(60.0)
    lifted.pixels[[INDEX["left_heel"], INDEX["right_heel"]], 1] -= 12
    measures = side_view_measures(lifted, torso_px=120.0)
    assert measures["heel_height"].value - flat["heel_height"].value == pytest.approx(0.1)
    assert measures["heel_pitch"].value == pytest.approx(0.1)


def test_hidden_landmarks_give_no_angle():
    squat = side_squat(60.0)
    squat.visibility[25] = 0.2  # left knee
    measures = side_view_measures(squat, torso_px=120.0)
    assert "knee_flexion_left" not in measures
    assert "knee_flexion_right" in measures
    assert measures["knee_flexion_right"].confidence == pytest.approx(0.95)


def test_front_view_valgus_is_positive_when_knees_cave_in():
    # Athlete faces the camera: their left side is on the image's right.
    def front(knee_offset: float):
        return pose({"left_hip": (360, 200), "right_hip": (280, 200),
                     "left_knee": (360 - knee_offset, 300), "right_knee": (280 + knee_offset, 300),
                     "left_ankle": (360, 400), "right_ankle": (280, 400)})

    inward = front_view_measures(front(20.0), HIP_LINE)
    outward = front_view_measures(front(-20.0), HIP_LINE)
    expected = 2 * np.degrees(np.arctan(20 / 100))
    assert inward["knee_valgus_left"].value == pytest.approx(expected)
    assert inward["knee_valgus_right"].value == pytest.approx(expected)
    assert outward["knee_valgus_left"].value == pytest.approx(-expected)
    assert inward["pelvis_shift"].value == pytest.approx(0.0)
    assert inward["asymmetry"].value == pytest.approx(0.0)


def test_pelvis_shift_towards_the_athletes_left_is_positive():
    shifted = pose({"left_hip": (380, 200), "right_hip": (300, 200), "left_knee": (380, 300),
                    "right_knee": (300, 300), "left_ankle": (360, 400),
                    "right_ankle": (280, 400)})
    assert front_view_measures(shifted, HIP_LINE)["pelvis_shift"].value == pytest.approx(0.25)
    assert "pelvis_shift" not in front_view_measures(shifted, None)


def test_pelvis_shift_is_in_standing_hip_widths_when_the_hips_look_narrower_at_depth():
    hips = BodyScale(HIP_WIDTH, frames=3)
    standing = pose({"left_hip": (360, 200), "right_hip": (280, 200), "left_ankle": (360, 400),
                     "right_ankle": (280, 400)})
    for _ in range(3):
        assert hips.update("front", standing) == pytest.approx(80.0)
    # At depth the thighs point at the camera and the hip landmarks close in to 20 px apart.
    deep = pose({"left_hip": (350, 300), "right_hip": (330, 300), "left_ankle": (360, 400),
                 "right_ankle": (280, 400)})
    assert hips.update("front", deep) == pytest.approx(80.0)
    assert front_view_measures(deep, hips.vector("front"))["pelvis_shift"].value == \
        pytest.approx(20 / 80)


def test_pelvis_shift_is_along_the_standing_hip_line_when_the_hips_tilt_at_depth():
    hips = BodyScale(HIP_WIDTH, frames=3)
    standing = pose({"left_hip": (360, 200), "right_hip": (280, 200), "left_ankle": (360, 400),
                     "right_ankle": (280, 400)})
    for _ in range(3):
        hips.update("front", standing)
    # Straight down over the ankles, one hip placed 10 px lower than the other: along the
    # tilted line the 100 px the hips stand above the ankles would read as a shift.
    deep = pose({"left_hip": (360, 300), "right_hip": (280, 310), "left_ankle": (360, 400),
                 "right_ankle": (280, 400)})
    assert front_view_measures(deep, hips.vector("front"))["pelvis_shift"].value == \
        pytest.approx(0.0)


def test_pelvis_shift_is_from_where_the_feet_stood_when_the_ankles_are_lost_at_depth():
    feet = StandingPoint(ANKLES, frames=5)
    standing = pose({"left_hip": (360, 200), "right_hip": (280, 200), "left_ankle": (360, 400),
                     "right_ankle": (280, 400)})
    for _ in range(5):
        assert feet.update(standing, standing=True) == pytest.approx([320, 400])
    # Hips straight down over the feet; the shins hide the ankles and MediaPipe puts one
    # 40 px inwards and higher up, barely visible.
    deep = pose({"left_hip": (360, 300), "right_hip": (280, 300), "left_ankle": (360, 400),
                 "right_ankle": (320, 360)}, hidden=("right_ankle",))
    where = feet.update(deep, standing=False)
    assert where == pytest.approx([320, 400])  # not moved by frames out of standing
    assert front_view_measures(deep, HIP_LINE, feet_px=where)["pelvis_shift"].value == \
        pytest.approx(0.0)
    # The frame's own ankles (were they seen) would read a quarter hip width of shift.
    seen = pose({"left_hip": (360, 300), "right_hip": (280, 300), "left_ankle": (360, 400),
                 "right_ankle": (320, 360)})
    assert front_view_measures(seen, HIP_LINE)["pelvis_shift"].value == pytest.approx(-0.25)


def test_where_the_feet_stand_follows_an_athlete_who_steps_aside():
    feet = StandingPoint(ANKLES, frames=5)
    for x in [320] * 5 + [400] * 3:
        where = feet.update(pose({"left_ankle": (x + 40, 400), "right_ankle": (x - 40, 400)}),
                            standing=True)
    assert where == pytest.approx([400, 400])  # the median of the last 5 standing frames
    assert StandingPoint(ANKLES).update(pose({}), standing=True) is None  # feet never seen


def test_torso_scale_is_fixed_after_the_first_frames():
    scale = BodyScale(frames=3)
    standing = side_squat(0.0)
    for _ in range(3):
        assert scale.update("side", standing) == pytest.approx(120.0)
    standing.pixels[11:13] += (0, -30)  # shoulders move: a later frame changes nothing
    assert scale.update("side", standing) == pytest.approx(120.0)
    assert normalised_pose(standing, 120.0)[23] == pytest.approx((0.0, 0.0))


def test_both_views_combine():
    measures = squat_measures(None, side_squat(90.0), None, side_torso_px=None)
    assert "depth" not in measures  # no torso scale yet
    assert measures["knee_flexion_right"].value == pytest.approx(90.0)


def test_a_mirrored_pose_trades_left_and_right_and_faces_the_other_way():
    original = side_squat(80.0, facing=1.0)
    flipped = mirrored(original)
    assert flipped.facing == -1.0 and original.facing == 1.0
    left_knee, right_knee = INDEX["left_knee"], INDEX["right_knee"]
    # Pixel centres at integers: the mirror of column x is column width - 1 - x.
    assert flipped.pixels[right_knee, 0] == pytest.approx(
        original.width - 1 - original.pixels[left_knee, 0])
    assert flipped.visibility[right_knee] == original.visibility[left_knee]
    assert flipped.world[right_knee, 0] == pytest.approx(-original.world[left_knee, 0])
    again = mirrored(flipped)
    assert np.allclose(again.pixels, original.pixels)
    assert np.allclose(again.world, original.world)
    assert np.array_equal(again.visibility, original.visibility)
    # The side-view angles do not see the mirror.
    for name, measure in side_view_measures(original, None, 0.0).items():
        assert side_view_measures(flipped, None, 0.0)[name].value == pytest.approx(
            measure.value, abs=1e-9), name
