"""Bringup of squat coach: launch, configuration and the all-in-one runner."""
