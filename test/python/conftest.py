import pytest

import vtile


@pytest.fixture
def context():
    return vtile.make_context()


def pytest_terminal_summary(terminalreporter):
    """The fuzz suite's case count, whether or not output is captured."""
    from fuzz_harness import CASES, DISPATCHES

    if any(CASES.values()):
        terminalreporter.write_line(
            f"fuzz: {CASES['llvm-cpu']} graphs on llvm-cpu and {CASES['vulkan-spirv']} on "
            "vulkan-spirv, each through vtile and IREE's default pipeline against numpy; "
            f"{CASES['llvm-cpu one-dispatch']} on llvm-cpu with groups forced to one dispatch "
            f"({DISPATCHES.get('forced-plan-one-dispatch', 0)} groups became one)"
        )
