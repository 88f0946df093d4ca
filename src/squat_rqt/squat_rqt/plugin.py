"""The rqt plugin: a thin shell that puts the trainer widget into rqt (rqt --standalone
squat_rqt, or Plugins > Squat coach > Trainer) on rqt's own node. rqt_gui_py exists on a ROS 2
distribution only; the widget itself runs anywhere (trainer_app)."""

from __future__ import annotations

from rqt_gui_py.plugin import Plugin

from squat_rqt.trainer_data import TrainerData
from squat_rqt.trainer_model import TrainerModel
from squat_rqt.trainer_widget import TrainerWidget


class TrainerPlugin(Plugin):
    """The trainer view inside rqt."""

    def __init__(self, context: object) -> None:
        super().__init__(context)
        self.setObjectName("SquatTrainer")
        self._widget = TrainerWidget(TrainerData(context.node, TrainerModel()))
        if context.serial_number() > 1:
            self._widget.setWindowTitle(
                f"{self._widget.windowTitle()} ({context.serial_number()})")
        context.add_widget(self._widget)

    def shutdown_plugin(self) -> None:
        self._widget.shutdown()

    def save_settings(self, plugin_settings: object, instance_settings: object) -> None:
        self._widget.save_settings(instance_settings)

    def restore_settings(self, plugin_settings: object, instance_settings: object) -> None:
        self._widget.restore_settings(instance_settings)
