import pytest

import vtile


@pytest.fixture
def context():
    return vtile.make_context()


def pytest_terminal_summary(terminalreporter):
    """The fuzz suite's case count, whether or not output is captured."""
    from fuzz_harness import CASES, DISPATCHES, FORCED_DISPATCH

    if any(CASES.values()):
        terminalreporter.write_line(
            f"fuzz: {CASES['llvm-cpu']} graphs on llvm-cpu and {CASES['vulkan-spirv']} on "
            "vulkan-spirv, each through vtile and IREE's default pipeline against numpy; "
            f"{CASES['llvm-cpu one-dispatch']} on llvm-cpu and "
            f"{CASES['vulkan-spirv one-dispatch']} on vulkan-spirv with groups forced to one "
            f"dispatch ({DISPATCHES.get('llvm-cpu ' + FORCED_DISPATCH, 0)} and "
            f"{DISPATCHES.get('vulkan-spirv ' + FORCED_DISPATCH, 0)} "
            "groups became one)"
        )
