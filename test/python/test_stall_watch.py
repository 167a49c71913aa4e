"""vtile.backends.stall_watch: a tool that stops using the CPU is killed;
one that works, itself or through a child, runs to the end."""

import sys
import time

import pytest

from vtile.backends.stall_watch import Stalled, run_unless_stalled

BUSY = "import time\nend = time.process_time() + 3\nwhile time.process_time() < end: pass\nprint('done')"


def test_a_tool_that_stops_using_the_cpu_is_killed():
    start = time.monotonic()
    with pytest.raises(Stalled, match="used no CPU for 2 s"):
        run_unless_stalled([sys.executable, "-c", "import time; time.sleep(60)"], 2, 0.5)
    assert time.monotonic() - start < 30


def test_a_tool_working_through_a_child_runs_to_the_end():
    """The parent only waits (as the iree-compile wrapper script does) while
    its child computes for longer than the stall interval."""
    child = f"import subprocess, sys; subprocess.run([sys.executable, '-c', {BUSY!r}])"
    result = run_unless_stalled([sys.executable, "-c", child], 2, 0.5)
    assert result.returncode == 0 and result.stdout == "done\n"
