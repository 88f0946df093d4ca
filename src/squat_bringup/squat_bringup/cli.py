"""`coach`: the all-in-one command line of squat coach."""

from __future__ import annotations

import argparse

from squat_bringup.ros_components import ros_components
from squat_bringup.session_cli import (
    add_check_cameras_arguments,
    add_replay_arguments,
    add_run_arguments,
    check_cameras,
    replay,
    run,
)


def _check(_: argparse.Namespace) -> int:
    from squat_bringup.install_check import ros_origin, squat_state_loopback

    print(f"squat coach: {ros_origin()}")
    result = squat_state_loopback()
    if not result.received:
        print(f"FAILED: a SquatState published here did not arrive within {result.seconds:.1f} s")
        return 1
    print(f"ok: rclpy and squat_msgs work (SquatState loopback over DDS in {result.seconds:.2f} s)")
    print("optional ROS 2 parts on this machine:")
    for component in ros_components():
        mark = "yes" if component.available else "no "
        print(f"  [{mark}] {component.name:22s} {component.where}")
    return 0


def _run(args: argparse.Namespace) -> int:
    return _check(args) if args.check else run(args)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of `coach`, one subcommand per job."""
    parser = argparse.ArgumentParser(prog="coach", description="squat coach")
    commands = parser.add_subparsers(dest="command", required=True)
    run_command = commands.add_parser(
        "run", help="start the cameras and the pose node (the virtual athlete without cameras)",
        description="Start squat coach's node graph (config/squat_coach.yaml). A camera not "
                    "given, or not found, shows the virtual athlete instead.")
    add_run_arguments(run_command)
    run_command.add_argument("--check", action="store_true",
                     help="only check the installation (rclpy, squat_msgs, optional parts)")
    run_command.set_defaults(handler=_run)
    replay_command = commands.add_parser(
        "replay", help="replay a recorded session through a fresh pose and feedback node",
        description="Play a session bag (coach run --record) on its own clock into a fresh "
                    "pose node and feedback node, and show its reps as coach run does.")
    add_replay_arguments(replay_command)
    replay_command.set_defaults(handler=replay)
    check_command = commands.add_parser(
        "check-cameras", help="say how each camera sees the athlete and what to move",
        description="Start the cameras and the pose node, watch the athlete stand, and say for "
                    "each camera whether it sees the whole body and how far round it stands "
                    "from its axis (front: facing the athlete; side: side-on), and what to move "
                    "so it judges every fault it should. Exit 0 when both do, 1 when not.")
    add_check_cameras_arguments(check_command)
    check_command.set_defaults(handler=check_cameras)
    render_command = commands.add_parser(
        "render-athlete", help="render a virtual squat session: videos + ground truth",
        description="Render the virtual athlete to one video per camera, ground_truth.json "
                    "and contact_sheet.png.")
    from squat_virtual_athlete.render_cli import build_parser as render_parser
    from squat_virtual_athlete.render_cli import run as render

    render_parser(render_command)
    render_command.set_defaults(handler=render)
    from squat_feedback.kb_cli import add_commands

    add_commands(commands)
    analyze = commands.add_parser(
        "analyze", help="analyse squat videos offline and write the reps as JSON",
        description="Reps, angles and faults of a front and/or side video, as JSON.")
    from squat_pose.analyze_cli import add_arguments
    from squat_pose.analyze_cli import run as run_analysis

    add_arguments(analyze)
    analyze.set_defaults(handler=run_analysis)
    calibrate = commands.add_parser(
        "calibrate", help="calibrate the two cameras: from the athlete alone, a checkerboard "
                          "or ChArUco board, or camera_info and TF",
        description="Write a rig calibration for pose_node (calibration_path) and coach analyze "
                    "--calibration: both cameras' lenses and poses in the athlete's world. From "
                    "the athlete alone (--athlete-height: a recording of the athlete squatting "
                    "in both views), from a checkerboard or ChArUco board waved in both views "
                    "before the athlete stands in them (--board or --charuco, --square-mm), or "
                    "from a session bag whose cameras published calibrated camera_info and their "
                    "poses in TF (--from-tf).")
    from squat_pose.calibrate_cli import add_arguments as add_calibrate_arguments
    from squat_pose.calibrate_cli import run as run_calibration

    add_calibrate_arguments(calibrate)
    calibrate.set_defaults(handler=run_calibration)
    from squat_pose.reference_cli import add_commands as add_reference_commands

    add_reference_commands(commands)
    from squat_bringup.bag_cli import add_commands as add_bag_commands

    add_bag_commands(commands)
    from squat_bringup.report_cli import add_commands as add_report_commands

    add_report_commands(commands)
    trainer = commands.add_parser(
        "trainer", help="the trainer view (the rqt plugin's widget, without rqt)",
        description="Show the running session for a trainer: overlays, reps, score, the knee "
                    "angle against the reference, feedback, ask the coach.")
    from squat_rqt.trainer_app import build_parser as trainer_parser
    from squat_rqt.trainer_app import run as run_trainer

    trainer_parser(trainer)
    trainer.set_defaults(handler=run_trainer)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of `coach` and `scripts/coach`."""
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except KeyboardInterrupt:
        return 130  # Ctrl-C: the user's choice, not an error to explain
