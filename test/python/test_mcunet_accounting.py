"""MCUNet's accounting on small graphs whose peaks are worked out by hand."""

import pytest
import torch
from torch import nn

from vtile.analysis.graph import build_graph
from vtile.context import make_context
from vtile.frontends.model import load_model
from vtile.planner.groups import group_cost
from vtile.planner.mcunet_accounting import mcunet_profile
from vtile.planner.search import MCUNET_ACCOUNTING, PATCHES, PlannerOptions, plan_fusion


def _graph(model: nn.Module, shape: tuple[int, ...]):
    torch.manual_seed(0)
    loaded = load_model(model.eval(), make_context(), (torch.randn(*shape),))
    return build_graph(loaded.module, loaded.function)


class Block(nn.Module):
    """A residual inverted block: expand 8 -> 48, depthwise, project, add."""

    def __init__(self):
        super().__init__()
        self.expand = nn.Conv2d(8, 48, 1)
        self.depthwise = nn.Conv2d(48, 48, 3, padding=1, groups=48)
        self.project = nn.Conv2d(48, 8, 1)

    def forward(self, x):
        hidden = torch.relu(self.expand(x))
        return x + self.project(torch.relu(self.depthwise(hidden)))


@pytest.fixture(scope="module")
def block():
    return _graph(Block(), (1, 8, 16, 16))


def test_layer_by_layer_counts_inputs_and_outputs_at_one_byte(block):
    x, hidden = 8 * 16 * 16, 48 * 16 * 16
    profile = mcunet_profile(block, [])
    # Expansion: x (the residual, held) and its output. The depthwise layer
    # works in place, and the projection writes into the residual: no step
    # holds more than these two.
    assert profile.peak_bytes == x + hidden
    assert block.nodes[profile.peak_node].name == "linalg.conv_2d_nchw_fchw"
    assert max(live for _, live in profile.step_bytes) == x + hidden
    # Once the hidden tensor dies, only x's storage (now the result) is left.
    assert profile.step_bytes[-1][1] == x


def test_a_patch_holds_its_windows_and_the_output_whole(block):
    nodes = tuple(range(len(block.nodes)))
    group = group_cost(block, nodes, 2, (1, 8, 4, 4))
    profile = mcunet_profile(block, [group])
    assert [n for n, _ in profile.step_bytes] == [group.root]
    # The middle 4x4 patch's expansion: a 6x6 window of x (the input, read
    # patch by patch) and its 48-channel output, beside the whole result.
    x_window, hidden = 8 * 6 * 6, 48 * 6 * 6
    assert profile.peak_bytes == 8 * 16 * 16 + x_window + hidden


def test_the_search_plans_under_the_accounting_and_meets_a_budget(block):
    unfused = mcunet_profile(block, []).peak_bytes
    options = PlannerOptions(memory_budget=unfused - 1, accounting=MCUNET_ACCOUNTING,
                             tiles=PATCHES)
    plan = plan_fusion(block, options)
    assert plan.groups and plan.profile.peak_bytes < unfused
    assert plan.profile == mcunet_profile(block, list(plan.groups))


class ConvAddsItsInput(nn.Module):
    """x + conv(x): the convolution reads x, so it cannot write over it."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(8, 8, 1)

    def forward(self, x):
        return x + self.conv(x)


def test_a_convolution_never_writes_over_what_it_reads():
    graph = _graph(ConvAddsItsInput(), (1, 8, 16, 16))
    x = 8 * 16 * 16
    # While the convolution runs, x and its output are both held.
    assert mcunet_profile(graph, []).peak_bytes == 2 * x
