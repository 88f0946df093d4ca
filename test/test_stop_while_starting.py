"""Ctrl-C while an executable is still importing its libraries ends it quietly.

feedback_node spends ~6 s importing LangChain, Qdrant and the ONNX runtime before its node
exists; a Ctrl-C then (or `ros2 launch` stopping a graph still starting) printed a
KeyboardInterrupt traceback from whichever library was loading. A node stopped while starting
ends with 0 (as once running), a command with 130, and neither with a traceback.
"""

from __future__ import annotations

import pytest

from helpers.interrupted import interrupted
from helpers.ros2_run import ros2_run


def test_a_node_stopped_while_importing_ends_with_0_and_no_traceback():
    # 2 s in: past the entry script's own start, well inside the ~6 s of imports.
    code, err = interrupted(ros2_run("squat_feedback", "feedback_node"), 2.0)
    assert code == 0 and "Traceback" not in err, err[-3000:]


@pytest.mark.parametrize("delay_s", [0.5, 2.0])
def test_coach_stopped_while_starting_or_working_ends_with_130_and_no_traceback(delay_s):
    code, err = interrupted([*ros2_run("squat_bringup", "coach"), "kb", "search",
                               "how deep should I squat", "--local"], delay_s)
    assert code == 130 and "Traceback" not in err, err[-3000:]
