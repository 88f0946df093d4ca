"""Replay a recorded session into a fresh pose node and feedback node on the bag's clock.

    ros2 launch squat_bringup replay.launch.py bag:=bag_dir [rate:=1.0] [reference:=coach.json]
        [calibration:=rig.yaml] [language:=ko|en] [params_file:=my.params.yaml]

The nodes come from squat_bringup.session_graph, which `scripts/coach replay` uses too.
"""

from launch import LaunchDescription
from launch.actions import DeclareLaunchArgument, OpaqueFunction
from launch.launch_context import LaunchContext
from launch.substitutions import LaunchConfiguration

from squat_bringup.graph import default_params_file
from squat_bringup.launch_actions import optional_path, refusal, session_actions
from squat_bringup.replay_settings import ReplaySettings
from squat_bringup.session_graph import SessionGraphError, replay_session


def _replay(context: LaunchContext) -> list:
    def value(name: str) -> str:
        return LaunchConfiguration(name).perform(context)

    bag = optional_path(value("bag"))
    if bag is None:
        return refusal("give the bag to replay: bag:=<folder>")
    try:
        nodes, notes = replay_session(bag, float(value("rate")), value("reference") or None,
                                      calibration=optional_path(value("calibration")),
                                      language=value("language") or None)
    except (SessionGraphError, ValueError) as error:
        return refusal(str(error))
    return session_actions(nodes, notes, value("params_file"))


def generate_launch_description() -> LaunchDescription:
    return LaunchDescription([
        DeclareLaunchArgument("bag", description="the session bag folder (coach run --record)"),
        DeclareLaunchArgument("rate", default_value=str(ReplaySettings().rate),
                              description="playback speed"),
        DeclareLaunchArgument("reference", default_value="",
                              description="reference file to score against"),
        DeclareLaunchArgument("calibration", default_value="",
                              description="rig calibration of the front and side cameras: "
                                          "judge every fault in 3D"),
        DeclareLaunchArgument("language", default_value="",
                              description="language of the cues and the rep feedback, en or "
                                          "ko (empty: the locale's)"),
        DeclareLaunchArgument("params_file", default_value=str(default_params_file()),
                              description="ros__parameters YAML for every node"),
        OpaqueFunction(function=_replay),
    ])
