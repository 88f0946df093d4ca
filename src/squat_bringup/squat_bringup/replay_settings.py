"""What a replay takes: which bag, how fast (bag_player's parameters, `coach replay`'s and
replay.launch.py's defaults)."""

from __future__ import annotations

from dataclasses import dataclass

from squat_common.settings import setting


@dataclass(frozen=True)
class ReplaySettings:
    """Which bag, how fast: bag_player's parameters."""

    bag_path: str = setting("", "The session bag folder to play.", read_only=True)
    rate: float = setting(1.0, "Playback speed: 2.0 plays twice as fast.", low=0.05, high=20.0,
                          read_only=True)

    def problems(self) -> list[str]:
        return [] if self.bag_path else ["bag_path: give the bag folder to play"]
