"""What every squat coach node shares: runner, parameters, QoS, stamps, diagnostics, images."""
