"""squat_pose: frame pairing, pose estimation, geometry, reps and scoring for squat coach."""
