"""Runs a tool and kills it when it stops using the CPU.

iree-compile 3.13 sometimes hangs at start-up: every thread waits on a
futex, no CPU time accrues, and the same command then compiles in seconds.
Its slowest honest compiles here take minutes, so a wall-clock timeout
either waits far too long or kills real work; a run whose process tree has
not used CPU time for `stall_s` seconds is stuck instead."""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Sequence
from pathlib import Path

POLL_S = 5.0
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


class Stalled(Exception):
    """The process tree used no CPU time for the stall interval."""


def run_unless_stalled(
    command: Sequence[str], stall_s: float, poll_s: float = POLL_S
) -> subprocess.CompletedProcess:
    """`subprocess.run(command, capture_output=True, text=True)`, except that
    a run that stalls is killed, with its children, and raises `Stalled`."""
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, start_new_session=True)
    last_cpu, idle = -1.0, 0.0
    while True:
        try:
            stdout, stderr = process.communicate(timeout=poll_s)
            return subprocess.CompletedProcess(command, process.returncode, stdout, stderr)
        except subprocess.TimeoutExpired:
            cpu = _tree_cpu_seconds(process.pid)
            idle = idle + poll_s if cpu == last_cpu else 0.0
            last_cpu = cpu
            if idle >= stall_s:
                os.killpg(process.pid, signal.SIGKILL)
                process.communicate()
                raise Stalled(f"{Path(command[0]).name} used no CPU for {stall_s:.0f} s") from None


def _tree_cpu_seconds(pid: int) -> float:
    """User and system CPU time of `pid` and its descendants, from /proc."""
    total, pending = 0, [pid]
    while pending:
        current = pending.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
            for task in Path(f"/proc/{current}/task").iterdir():
                pending += map(int, (task / "children").read_text().split())
        except (FileNotFoundError, ProcessLookupError):
            continue  # exited meanwhile
    return total / CLOCK_TICKS
