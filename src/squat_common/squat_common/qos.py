"""The QoS profiles squat coach topics use, so publishers and subscribers agree."""

from __future__ import annotations

from rclpy.qos import DurabilityPolicy, QoSProfile, qos_profile_sensor_data

# Camera images and overlays: best effort, keep the newest (REP 2003's sensor data profile).
SENSOR_QOS = qos_profile_sensor_data

# squat/rep: reps are few and each matters, so the last ones are kept for late joiners
# (feedback_node while its index builds, rqt, a recorder started late). Publishers and
# subscribers of RepSummary use this profile.
REP_QOS = QoSProfile(depth=20, durability=DurabilityPolicy.TRANSIENT_LOCAL)

# squat/reference: the reference in use, latched for late joiners (one message, replaced).
REFERENCE_QOS = QoSProfile(depth=1, durability=DurabilityPolicy.TRANSIENT_LOCAL)
