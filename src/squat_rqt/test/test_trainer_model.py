"""The trainer view's data: curves over a window, reps newest first, CSV, settings."""

from __future__ import annotations

import csv
import io
import math

from squat_rqt.trainer_model import (
    FeedbackEntry,
    RepRow,
    TrainerModel,
    TrainerSettings,
    score_colour,
)


def row(index: int, score: float = 80.0, faults: tuple[str, ...] = ()) -> RepRow:
    return RepRow(index, 1.5, 1.2, 62.0, 4.0, 33.0, score, faults)


def test_curves_keep_the_plot_window_and_restart_when_time_goes_back():
    model = TrainerModel(TrainerSettings(plot_window_s=2.0))
    for i in range(100):
        model.add_state(i / 10, "DESCENT", 1, 90.0, {"knee_flexion": float(i)},
                        {"knee_flexion": i + 5.0})
    times, athlete, reference = model.curve("knee_flexion")
    assert times[0] == 7.9 and times[-1] == 9.9 and len(times) == 21
    assert athlete[-1] == 99.0 and reference[-1] == 104.0
    assert (model.phase, model.rep_count, model.frame_score) == ("DESCENT", 1, 90.0)
    # A value not measured is NaN (a gap in the plot), not a zero.
    assert math.isnan(model.curve("hip_flexion")[1][-1])
    model.add_state(0.5, "STANDING", 0, math.nan, {}, {})
    assert model.curve("knee_flexion")[0] == [0.5]


def test_reps_are_newest_first_and_export_oldest_first():
    model = TrainerModel()
    for index in (1, 3, 2):
        model.add_rep(row(index, 70.0 + index, ("knee valgus (medium)",) if index == 2 else ()))
    model.add_rep(row(3, 99.0))  # a repeated rep replaces the old row
    assert [r.index for r in model.rows()] == [3, 2, 1] and model.last_score == 99.0
    table = list(csv.reader(io.StringIO(model.csv_text())))
    assert table[0][0] == "rep" and [r[0] for r in table[1:]] == ["1", "2", "3"]
    assert table[2][-1] == "knee valgus (medium)" and table[3][6] == "99.0"
    model.add_feedback(FeedbackEntry(1, "knees out", ("knee_valgus",)))
    assert model.feedback[-1].sources == ("knee_valgus",)


def test_visible_channels_follow_the_toggles():
    model = TrainerModel()
    assert model.visible_channels() == ("knee_flexion",)
    model.settings.show_trunk = True
    assert model.visible_channels() == ("knee_flexion", "trunk_lean")


def test_settings_from_saved_values_keep_defaults_for_what_is_off():
    saved = TrainerSettings(namespace="/gym/rack2", plot_window_s=20.0, show_hip=True).to_dict()
    assert TrainerSettings.from_dict(saved) == TrainerSettings("/gym/rack2", 20.0, True, False)
    # QSettings hands booleans back as strings; nonsense keeps the default.
    odd = TrainerSettings.from_dict({"show_trunk": "true", "plot_window_s": "nan",
                                     "namespace": None, "show_hip": "maybe"})
    assert odd == TrainerSettings(show_trunk=True)
    assert TrainerSettings.from_dict({"plot_window_s": 1e9}).plot_window_s == 10.0


def test_score_colours():
    assert score_colour(90) == (70, 170, 90) and score_colour(65)[0] == 230
    assert score_colour(10)[0] == 210 and score_colour(math.nan) == (150, 150, 150)
