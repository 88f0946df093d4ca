"""argparse types for numbers a command takes: finite, of the right kind, in range."""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable

_KIND_WORDS = {int: "a whole number", float: "a number"}


def number(kind: type, low: float = -math.inf, high: float = math.inf,
           above: float | None = None, what: str = "") -> Callable[[str], float]:
    """An argparse type: a finite `kind` from `low` to `high` (and over `above` when given);
    `what` says in the error what it must be (default: the range)."""
    wrong_kind = _KIND_WORDS[kind] + (f" ({what})" if what else "")

    def parse(text: str) -> float:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not {wrong_kind}") from None
        if not math.isfinite(value):
            raise argparse.ArgumentTypeError(f"{text} is not {wrong_kind}")
        if not low <= value <= high or (above is not None and value <= above):
            raise argparse.ArgumentTypeError(f"{text} is not {what or f'from {low:g} to {high:g}'}")
        return value
    return parse
