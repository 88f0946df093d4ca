"""A command's expected failures said in one line on stderr, exit code 2, no traceback."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

Handler = Callable[[argparse.Namespace], int]
USAGE_ERROR = 2


def said_in_one_line(prefix: str, errors: tuple[type[BaseException], ...], handler: Handler
                     ) -> Handler:
    """`handler`, with any of `errors` printed as '<prefix>: <error>' and exit code 2."""
    def run(args: argparse.Namespace) -> int:
        try:
            return handler(args)
        except errors as error:
            print(f"{prefix}: {error}", file=sys.stderr)
            return USAGE_ERROR
    return run
