"""The memory plan's order reaches IREE. On WideBranches, whose program
order widens every branch before narrowing any, vertical fusion run in the
lowest-peak order measures a lower DEVICE_LOCAL peak (llvm-cpu,
local-sync) than in program order, as the plan predicts, with PyTorch's
numbers; the plan is in the IR and the ops follow it."""

import re

import numpy as np
import pytest
import torch
from mlir import ir
from vtile.bench import device_local_peak
from vtile.compiler import compile_model, planner_for
from vtile.context import make_context
from vtile.frontends.model import load_model
from vtile.models import wide_branches
from vtile.named_pipelines import ONE_AT_A_TIME, VERTICAL_FUSION
from vtile.pipeline import PipelineOptions
from vtile.planner.memory_attributes import MEMORY_PLAN_ATTR, STEP_ATTR
from vtile.planner.memory_levels import with_memory_levels
from vtile.planner.plan import plan_module
from vtile.planner.search import LOWEST_PEAK, PROGRAM_ORDER, PlannerOptions

RTOL, ATOL = 1e-5, 1e-5


@pytest.fixture(scope="module")
def model():
    network, inputs = wide_branches()
    with torch.no_grad():
        expected = network(*inputs).numpy()
    return load_model(network, make_context(), inputs), expected


@pytest.fixture(scope="module")
def compiled(model, tmp_path_factory):
    loaded, _ = model
    return {order: compile_model(loaded, "llvm-cpu", VERTICAL_FUSION,
                                 PipelineOptions(dump_dir=tmp_path_factory.mktemp(order)),
                                 PlannerOptions(order=order))
            for order in (PROGRAM_ORDER, LOWEST_PEAK)}  # fmt: skip


def test_the_lowest_peak_order_lowers_the_measured_peak_as_predicted(model, compiled):
    loaded, expected = model
    module = ir.Module.parse(str(loaded.module), loaded.module.context)
    target = compiled[LOWEST_PEAK].target
    with_memory_levels(module, target)
    (function,) = plan_module(module, planner_for(target, PlannerOptions()))
    measured = {order: device_local_peak(c) for order, c in compiled.items()}
    for order, c in compiled.items():
        predicted = function.memory_plan(order=order).predicted_device_local_bytes
        assert abs(predicted / measured[order] - 1) <= 0.10, (order, predicted, measured)
        np.testing.assert_allclose(c(*loaded.sample_inputs)[0], expected, rtol=RTOL, atol=ATOL)
    assert measured[LOWEST_PEAK] < measured[PROGRAM_ORDER]
    # IREE keeps the module's order only one dispatch at a time.
    assert ONE_AT_A_TIME in compiled[LOWEST_PEAK].iree_flags
    assert ONE_AT_A_TIME not in compiled[PROGRAM_ORDER].iree_flags


def steps_in_order(dump: str) -> list[int]:
    return [int(step) for step in re.findall(rf"{STEP_ATTR} = (\d+)", dump)]


def test_the_plan_is_in_the_ir_and_the_ops_follow_it(compiled):
    dumps = {path.name.split("-", 1)[1]: path.read_text()
             for path in compiled[LOWEST_PEAK].report.dumps}
    planned, scheduled = dumps["plan-fusion.mlir"], dumps["schedule.mlir"]
    assert f'{MEMORY_PLAN_ATTR} = #dataflow.memory_plan<' in planned
    assert 'order = "lowest-peak"' in planned
    # Planned in program order, the steps are out of order; scheduled, not.
    assert steps_in_order(planned) != sorted(steps_in_order(planned))
    assert steps_in_order(scheduled) == sorted(steps_in_order(planned))
    # Kernels carry the plan after `dataflow-form-kernels`; IREE gets none of it.
    assert re.search(r"dataflow.kernel .*dataflow.buffer = #dataflow.slot<",
                     dumps["form-kernels.mlir"])
    assert "dataflow." not in compiled[LOWEST_PEAK].mlir
