"""Named crash points: ``LEXGRAPH_CRASH_AT=<point>`` kills the process there with SIGKILL.

The store's crash-safety is tested by killing a real refresh at each point where a half-done write
could be left behind; nothing else reads the variable.
"""

from __future__ import annotations

import os
import signal

POINTS = ("parse", "export", "graph_build", "pointer_switch")


def crash_point(point: str) -> None:
    if os.environ.get("LEXGRAPH_CRASH_AT") == point:
        os.kill(os.getpid(), signal.SIGKILL)
