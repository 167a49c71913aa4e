"""`vtile report`: the predicted DEVICE_LOCAL peak against the one IREE
measures (llvm-cpu, local-sync), both pipelines, and its JSON and plot."""

import json
import subprocess
import sys

import pytest

MODELS = "python/vtile/models.py"


def vtile(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "vtile.cli", *args], capture_output=True,
                          text=True, check=False)


# A chain (depthwise-separable), residual blocks, and a U-Net whose skips are
# concatenated, branches run out of program order, and the demo's network,
# whose residual block IREE gets as 4 unrolled strips: each exercises other
# rules of the kernel graph.
@pytest.mark.parametrize("model", ["ds_cnn_kws", "resnet8", "small_unet", "wide_branches",
                                   "edge_cnn"])
def test_the_predicted_peak_is_within_ten_percent_of_the_measured_one(model, tmp_path):
    plot = tmp_path / "live.png"
    result = vtile("report", f"{MODELS}:{model}", "--measure", "--json", "--plot", str(plot))
    assert result.returncode == 0, result.stderr
    (report,) = json.loads(result.stdout)
    for pipeline in ("none", "vertical-fusion"):
        memory = report["pipelines"][pipeline]
        predicted, measured = (memory["predicted_device_local_bytes"],
                               memory["measured_device_local_bytes"])
        assert abs(predicted / measured - 1) <= 0.10, (pipeline, predicted, measured)
    assert plot.read_bytes().startswith(b"\x89PNG")


def test_the_report_shows_where_each_peak_is(tmp_path):
    result = vtile("report", f"{MODELS}:mobilenet_v2_stage1", "--json")
    assert result.returncode == 0, result.stderr
    (report,) = json.loads(result.stdout)
    layers = report["timelines"]["layer_by_layer"]
    # Layer by layer, the peak is the expand conv's padded output (96x114x114
    # floats) beside the strided depthwise's (96x56x56).
    assert layers["peak_bytes"] == (96 * 114 * 114 + 96 * 56 * 56) * 4
    assert layers["peak_at"].startswith("depthwise_conv_2d_nchw_chw 1x96x56x56")
    assert max(s["live_bytes"] for s in layers["steps"]) == layers["peak_bytes"]
    fused = report["timelines"]["fused"]
    assert fused["peak_bytes"] < layers["peak_bytes"]


def test_activation_bytes_scale_every_activation():
    four = json.loads(vtile("report", f"{MODELS}:mobilenet_v2_stage1", "--json").stdout)[0]
    one = json.loads(vtile("report", f"{MODELS}:mobilenet_v2_stage1", "--json",
                           "--activation-bytes", "1").stdout)[0]
    assert one["timelines"]["layer_by_layer"]["peak_bytes"] * 4 == \
        four["timelines"]["layer_by_layer"]["peak_bytes"]


def test_report_refuses_a_pipeline_and_measuring_at_another_width_or_off_llvm_cpu():
    for extra in (["--pipeline", "none"], ["--measure", "--activation-bytes", "1"],
                  ["--measure", "--target", "vulkan-spirv"]):
        result = vtile("report", f"{MODELS}:mlp", *extra)
        assert result.returncode != 0 and "vtile report: error:" in result.stderr
