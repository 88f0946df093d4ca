"""Start a command whose imports take seconds (MediaPipe, ONNX and the index libraries, Qt) so
that a Ctrl-C while it is still importing ends it as quietly as it would once running.

Until a node's module is imported nothing has installed the node runner's stop handling, and
Python's KeyboardInterrupt came out as a traceback from whichever library was being imported
(feedback_node spends ~6 s there; `ros2 launch` stopping a graph that is still starting sends
every node SIGINT). Each package's executables (setup.py) are thin functions calling
`run_main`, so only this light module is imported before the handling is in place. Imports
nothing heavy.
"""

from __future__ import annotations

import importlib

# A node stopped while starting has done nothing wrong (node_runner returns 0 for it too); a
# command line stopped by the user says so as shells do, 128 + SIGINT.
NODE_STOPPED = 0
COMMAND_STOPPED = 130


def run_main(module: str, stopped: int = NODE_STOPPED) -> int:
    """Import `module` and return what its `main()` returns; `stopped` for a Ctrl-C at any
    moment that main() itself does not handle."""
    try:
        return importlib.import_module(module).main()
    except KeyboardInterrupt:
        return stopped
