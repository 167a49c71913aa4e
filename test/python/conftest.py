import pytest

import vtile


@pytest.fixture
def context():
    return vtile.make_context()


def pytest_sessionfinish(session):
    """On a pytest-xdist worker: hands its fuzz counts to the controller."""
    output = getattr(session.config, "workeroutput", None)
    if output is not None:
        from fuzz_harness import CASES, DISPATCHES

        output["fuzz"] = {"cases": dict(CASES), "dispatches": dict(DISPATCHES)}


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    """On the pytest-xdist controller: adds up a finished worker's fuzz counts."""
    from fuzz_harness import CASES, DISPATCHES

    counts = getattr(node, "workeroutput", {}).get("fuzz", {})
    for name, count in counts.get("cases", {}).items():
        CASES[name] += count
    for name, count in counts.get("dispatches", {}).items():
        DISPATCHES[name] = DISPATCHES.get(name, 0) + count


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
