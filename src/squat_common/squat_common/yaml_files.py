"""Reading a YAML file a user gave, with one clear error for a missing or broken one.
Imports no rclpy."""

from __future__ import annotations

from pathlib import Path

import yaml


def read_yaml(path: Path, label: str, error: type[Exception]) -> object:
    """The document in `path`; `error` ("<label>: cannot read ..." or "<label>: not valid
    YAML: ...") when it cannot be read or parsed."""
    try:
        return yaml.safe_load(path.read_text())
    except OSError as failure:
        raise error(f"{label}: cannot read {path}: {failure.strerror or failure}") from failure
    except yaml.YAMLError as failure:
        raise error(f"{label}: not valid YAML: {failure}") from failure
