"""The pipelines users pick by name (`vtile compile --pipeline NAME`).

Each runs on linalg-on-tensors before the module is handed to IREE, whose
own default pipeline then compiles it."""

from __future__ import annotations

from vtile.errors import VtileError
from vtile.pipeline import Pipeline

NONE = "none"
VERTICAL_FUSION = "vertical-fusion"

PIPELINE_HELP = {
    NONE: "no vtile stages: IREE's default pipeline alone (the baseline)",
    VERTICAL_FUSION: "vertical tiling fusion (not implemented yet)",
}


def named_pipeline(name: str) -> Pipeline:
    if name == NONE:
        return Pipeline(NONE, [])
    if name == VERTICAL_FUSION:
        # The slot the fusion planner and its lowering will fill; refusing is
        # better than silently compiling the baseline under this name.
        raise VtileError(
            f"pipeline '{VERTICAL_FUSION}' is not implemented yet; use '{NONE}'"
        )
    raise VtileError(f"unknown pipeline '{name}'; known: {', '.join(PIPELINE_HELP)}")
