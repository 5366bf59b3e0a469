"""Low priority that holds: a niced process gives its niceness to its session's autogroup.

Linux with ``sched_autogroup_enabled`` shares the CPU fairly between *session groups* (each ``setsid``,
each terminal) before ``nice`` acts inside a group, so a ``setsid nohup nice -n 10`` run took a full core
from a foreground job in another session (measured on 2026-12-01: 94 % of a core for a run at nice 19
beside an evaluation at nice 5). The command lines of ``training.train``, ``training.evaluate`` and
``training.study`` call ``share_nice_with_autogroup`` first, so that ``nice`` means what README.md intends.
"""
import os
from pathlib import Path


def share_nice_with_autogroup(autogroup=Path("/proc/self/autogroup")) -> int | None:
    """Give this process's session group the process's own niceness; returns the value written, or None.
    Nothing is done at nice ≤ 0 or where the file is absent or read-only."""
    level = os.nice(0)
    if level <= 0:
        return None
    try:
        autogroup.write_text(f"{level}\n")
    except OSError:
        return None
    return level
