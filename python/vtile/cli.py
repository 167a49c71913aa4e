"""The `vtile` command line: compile, run, bench, plan, report, demo."""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

from vtile.errors import ModelError, RunError, UsageError, VtileError

MODEL_HELP = (
    "a .mlir (linalg on tensors) or .onnx file, or path/to/file.py:factory "
    "where factory() returns (torch.nn.Module, example_inputs)"
)


def _target_options() -> argparse.ArgumentParser:
    """The target, pipeline and planner options every compiling command takes."""
    from vtile.backends.targets import DEFAULT_VULKAN_TARGET, TARGET_NAMES
    from vtile.named_pipelines import DEFAULT_PIPELINE, PIPELINE_HELP
    from vtile.planner.search import (
        ACCOUNTINGS, AUTO, DEFAULT_MAX_RECOMPUTE, IREE_ACCOUNTING, LOWERINGS, LOWEST_PEAK, ORDERS,
        STRIPS, TILE_SHAPES,
    )

    target = argparse.ArgumentParser(add_help=False)
    group = target.add_argument_group("target")
    group.add_argument("--target", choices=TARGET_NAMES, default="llvm-cpu",
                       help="IREE back end (default: llvm-cpu)")
    group.add_argument("--cpu", help="llvm-cpu: CPU to tune for (default: host)")
    group.add_argument("--triple", help="llvm-cpu: cross-compile for this target triple, "
                       "e.g. aarch64-linux-gnu (needs --cpu, e.g. cortex-a55)")
    group.add_argument("--stack-limit", type=_bytes, metavar="SIZE",
                       help="llvm-cpu: stack one dispatch may use, the capacity of the "
                       "'stack' memory level the planner fits one-dispatch groups in "
                       "(iree-compile's --iree-llvmcpu-stack-allocation-limit; default and "
                       "most: 2MiB; a .mlir module may carry its own #tile.target instead)")
    group.add_argument("--vulkan-target", help="vulkan-spirv: GPU target name "
                       f"(default: {DEFAULT_VULKAN_TARGET})")
    group.add_argument("--pipeline", metavar="NAME",
                       help="vtile pipeline run before IREE's: " + "; ".join(
                           f"'{name}' {text}" for name, text in PIPELINE_HELP.items())
                       + f" (default: {DEFAULT_PIPELINE})")
    model = target.add_argument_group("model input")
    model.add_argument("--input-shape", action="append", default=[], metavar="NAME=DIMS",
                       help="ONNX: fix input NAME's symbolic dimensions, e.g. "
                       "data=1x3x224x224 (repeat for each input; input_shapes= in Python)")
    planning = target.add_argument_group("fusion planner")
    planning.add_argument("--memory-budget", type=_bytes, metavar="SIZE",
                          help="stop fusing once the planned peak fits SIZE, e.g. 256KiB, "
                          "1.5MB, 65536 (default: no budget, minimise the peak)")
    planning.add_argument("--max-recompute", type=float, default=DEFAULT_MAX_RECOMPUTE,
                          metavar="RATIO", help="cap on work with halo recomputation divided "
                          f"by work without it (default: {DEFAULT_MAX_RECOMPUTE})")
    planning.add_argument("--group-lowering", choices=LOWERINGS, default=AUTO,
                          help="how fusion groups reach IREE: 'tile-loops' runs each op of "
                          "each tile as its own dispatch; 'dispatch' makes a group one "
                          "dispatch tiled inside it, its tiles on the stack (llvm-cpu) or in "
                          "workgroup memory (vulkan-spirv), and plans only groups that fit "
                          "(if none can, groups keep tile loops, and compile says why); 'auto' "
                          "picks one dispatch wherever its tiles do not raise the planned "
                          "peak (or exceed --memory-budget), and `vtile plan` says why "
                          f"(default: {AUTO})")
    planning.add_argument("--order", choices=ORDERS, default=LOWEST_PEAK,
                          help="the order fused kernels run in: 'lowest-peak' is the "
                          "topological order with the lowest peak of live bytes (exact search "
                          "where the graph is small enough, else greedy; `vtile report` "
                          "compares it with the program's); 'program' keeps the model's own "
                          f"(default: {LOWEST_PEAK})")
    planning.add_argument("--tiles", choices=TILE_SHAPES, default=STRIPS,
                          help="the tiles a fusion group is cut into: 'strips' of one "
                          "dimension (rows, or channels), which IREE slices without copies; "
                          "'patches' also tries n x n patches of rows and columns, as MCUNetV2 "
                          "cuts, which hold less per tile but recompute more halo and copy "
                          f"their windows (default: {STRIPS})")
    planning.add_argument("--accounting", choices=ACCOUNTINGS, default=IREE_ACCOUNTING,
                          help="how the planner counts memory: 'iree' what IREE allocates, at "
                          "the model's own widths; 'mcunet' as the int8 microcontroller "
                          "literature does (1 byte per activation, in-place depthwise and "
                          "elementwise layers, the image read patch by patch), to compare a "
                          "plan with MCUNetV2's figures; --memory-budget is then in those "
                          f"bytes (default: {IREE_ACCOUNTING})")
    return target


def _parser() -> argparse.ArgumentParser:
    from vtile.errors import EXIT_CODES

    parser = argparse.ArgumentParser(
        prog="vtile",
        description="Vertical tiling fusion for edge inference on MLIR and IREE.",
        epilog="exit codes:\n  0  success\n"
        + "".join(f"  {code}  {text}\n" for code, text in EXIT_CODES),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    target = _target_options()

    compile_ = commands.add_parser(
        "compile", parents=[target], help="compile a model to an IREE module (.vmfb)",
        description="Import a model, run a vtile pipeline on its linalg, and compile "
        "it with IREE for one target.")
    compile_.add_argument("model", metavar="MODEL", help=MODEL_HELP)
    compile_.add_argument("-o", "--output", type=Path,
                          help="the .vmfb to write (default: MODEL's name + .vmfb here)")
    compile_.add_argument("--emit-mlir", type=Path, metavar="FILE",
                          help="also write the MLIR handed to IREE")
    compile_.add_argument("--dump-dir", type=Path, metavar="DIR",
                          help="write the IR after every pipeline stage to DIR")
    _add_reproducer_dir(compile_)
    compile_.set_defaults(run=_compile)

    run = commands.add_parser(
        "run", parents=[target], help="compile and run a model, check it against its framework",
        description="Compile MODEL (or load a .vmfb) and run it on numpy inputs. "
        "PyTorch models are checked against PyTorch, ONNX models against onnxruntime "
        "(ONNX's reference evaluator where onnxruntime lacks an op; the table names which "
        "ran); a mismatch exits with code 1.")
    run.add_argument("model", metavar="MODEL", help=MODEL_HELP + ", or a .vmfb from vtile compile")
    run.add_argument("--input", type=Path, action="append", default=[], metavar="FILE.npy",
                     help="an input, in order (repeat for each); default: seeded random "
                     "inputs of the model's shapes (a .vmfb needs them)")
    run.add_argument("--function", default="main", help=".vmfb: function to call (default: main)")
    run.add_argument("--save-outputs", type=Path, metavar="FILE.npz",
                     help="write the outputs to FILE.npz")
    run.add_argument("--no-check", action="store_true", help="skip the numerics check")
    run.set_defaults(run=_run)

    bench = commands.add_parser(
        "bench", parents=[target], help="measure latency and peak memory against IREE's default",
        description="Compile MODEL with the vtile pipeline and with IREE's default "
        "pipeline (an .onnx file: with IREE's own ONNX flow, iree-import-onnx then "
        "iree-compile), and measure both on the same inputs: median latency from "
        "iree-benchmark-module, DEVICE_LOCAL peak from iree-run-module --print_statistics.")
    bench.add_argument("model", metavar="MODEL", help=MODEL_HELP)
    bench.add_argument("--repetitions", type=_at_least_two, default=10,
                       help="benchmark repetitions, median taken (default: 10)")
    bench.set_defaults(run=_bench)

    plan = commands.add_parser(
        "plan", parents=[target], help="print the fusion plan: groups, tiles, halos, peaks",
        description="Plan vertical fusion for MODEL without compiling it: the fusion "
        "groups with their ops, output tiles, input halos and recompute ratio, and the "
        "estimated peak live memory per group and overall, against running layer by layer.")
    plan.add_argument("model", metavar="MODEL", help=MODEL_HELP)
    plan.add_argument("--json", action="store_true", help="print the plan as JSON")
    plan.set_defaults(run=_plan)

    report = commands.add_parser(
        "report", parents=[target], help="print the memory plan: live bytes, peaks, arena",
        description="Plan MODEL's memory without running it, layer by layer (pipeline "
        "'none') and with vertical fusion: each kernel's result bytes and the live bytes at "
        "its step in program order and in the lowest-peak order, where the peaks occur, "
        "vtile's static arena and IREE's packing of the same buffers, and the DEVICE_LOCAL "
        "peak IREE will report on llvm-cpu (inputs, weights, results and its transient "
        "arena). --measure compiles and runs both pipelines and prints IREE's measured "
        "peak beside the prediction.")
    report.add_argument("model", metavar="MODEL", help=MODEL_HELP)
    report.add_argument("--activation-bytes", type=_positive, metavar="N",
                        help="count every activation at N bytes per element, e.g. 1 to "
                        "compare with int8 literature (default: each tensor's own width)")
    report.add_argument("--measure", action="store_true",
                        help="also compile and run both pipelines on sample inputs and print "
                        "IREE's measured DEVICE_LOCAL peak (iree-run-module, local-sync; "
                        "llvm-cpu only)")
    report.add_argument("--json", action="store_true", help="print the report as JSON")
    report.add_argument("--plot", type=Path, metavar="PNG",
                        help="draw live memory over the execution timeline to PNG: layer by "
                        "layer, fused, and fused in the lowest-peak order, with the "
                        "--memory-budget line")
    report.set_defaults(run=_report)

    replay = commands.add_parser(
        "replay", help="rerun a failed Python pipeline stage from its reproducer",
        description="A failing Python stage of a vtile pipeline (e.g. plan-fusion) writes "
        "the IR it saw, with the options and stage that ran, to a reproducer. This reruns "
        "that stage and the ones after it on that IR, with those options: it fails the same "
        "way (exit 7) until the bug is fixed. A failing pass stage's reproducer reruns with "
        "vtile-opt --run-reproducer instead.")
    replay.add_argument("reproducer", type=Path, metavar="FILE",
                        help="the reproducer a failing compile wrote")
    _add_reproducer_dir(replay)
    replay.set_defaults(run=_replay)

    demo = commands.add_parser(
        "demo", help="the built-in edge CNN end to end: numerics and bench table",
        description="Export a small edge CNN (seeded random weights) from PyTorch, "
        "compile it for llvm-cpu and, where a Vulkan device exists, vulkan-spirv, "
        "check the numerics against PyTorch and benchmark against IREE's default pipeline.")
    demo.add_argument("--repetitions", type=_at_least_two, default=10,
                      help="benchmark repetitions, median taken (default: 10)")
    demo.set_defaults(run=_demo)
    return parser


def _add_reproducer_dir(command: argparse.ArgumentParser) -> None:
    command.add_argument("--reproducer-dir", type=Path, metavar="DIR",
                         default=Path("vtile-reproducers"),
                         help="where a failing stage leaves a reproducer (default: "
                         "vtile-reproducers)")


_UNITS = {"": 1, "b": 1, "kb": 1000, "mb": 1000**2, "gb": 1000**3,
          "kib": 1024, "mib": 1024**2, "gib": 1024**3}


def _bytes(text: str) -> int:
    import re

    match = re.fullmatch(r"\s*([0-9]*\.?[0-9]+)\s*([A-Za-z]*)\s*", text)
    if not match or match.group(2).lower() not in _UNITS:
        raise argparse.ArgumentTypeError(
            f"'{text}' is not a size; use bytes or a unit: KiB, MiB, GiB, kB, MB, GB")
    value = int(float(match.group(1)) * _UNITS[match.group(2).lower()])
    if value <= 0:
        raise argparse.ArgumentTypeError(f"'{text}' must be positive")
    return value


def _planner(args: argparse.Namespace):
    from vtile.planner.search import PlannerOptions

    return PlannerOptions(memory_budget=args.memory_budget, max_recompute=args.max_recompute,
                          lowering=args.group_lowering, order=args.order, tiles=args.tiles,
                          accounting=args.accounting)


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"'{text}' must be at least 1")
    return value


def _at_least_two(text: str) -> int:
    value = int(text)
    if value < 2:
        raise argparse.ArgumentTypeError("needs at least 2 repetitions for a median")
    return value


def _consoles():
    """(results on stdout, progress on stderr). Logs and pipes get wide
    tables instead of rich's 80-column default."""
    from rich.console import Console

    width = None if sys.stdout.isatty() else 200
    return Console(width=width), Console(stderr=True)


def _target(args: argparse.Namespace):
    from vtile.backends.targets import make_target

    return make_target(args.target, args.cpu, args.triple, args.vulkan_target, args.stack_limit)


def _import_and_compile(args: argparse.Namespace, target, steps, options=None):
    """MODEL through the front end and `--pipeline` to an IREE module."""
    from vtile.compiler import compile_model
    from vtile.context import make_context
    from vtile.frontends.model import load_model

    steps(f"importing {args.model}")
    model = load_model(args.model, make_context(), input_shapes=args.input_shape, progress=steps)
    from vtile.named_pipelines import DEFAULT_PIPELINE

    args.pipeline = args.pipeline or DEFAULT_PIPELINE
    steps(f"compiling {model.name} for {target.name} (pipeline '{args.pipeline}')")
    return compile_model(model, target, args.pipeline, options, _planner(args))


def _compile(args: argparse.Namespace) -> int:
    from vtile.backends.dispatch_codegen import dispatch_flags
    from vtile.outputs import check_writable, make_directory, write_all
    from vtile.pipeline import PipelineOptions
    from vtile.tables import Steps

    console, progress = _consoles()
    target = _target(args)
    output = args.output or Path(Path(args.model.partition(".py:")[0]).stem + ".vmfb")
    for path in (output, args.emit_mlir):
        if path:
            check_writable(path)
    if args.dump_dir:
        make_directory(args.dump_dir)
    options = PipelineOptions(dump_dir=args.dump_dir, reproducer_dir=args.reproducer_dir)
    with Steps(progress) as steps:
        compiled = _import_and_compile(args, target, steps, options)
    model = compiled.model
    outputs = {output: compiled.vmfb}
    flags = list(compiled.iree_flags)
    if args.emit_mlir:
        outputs[args.emit_mlir] = compiled.mlir
        if compiled.codegen_library is not None:
            # One-dispatch groups compile only with their codegen library.
            library = args.emit_mlir.with_suffix(".codegen.mlir")
            outputs[library] = compiled.codegen_library
            flags += dispatch_flags(library.resolve(), compiled.target)
    write_all(outputs)
    signature = ", ".join(map(str, model.inputs))
    console.print(f"wrote {output} ({len(compiled.vmfb):,} bytes): @{model.function}({signature}) "
                  f"for {target.name}, pipeline '{args.pipeline}'", highlight=False)
    for timing in compiled.report.timings:
        console.print(f"  stage {timing.name}: {timing.seconds:.3f} s", highlight=False)
    for note in compiled.report.notes:
        console.print(f"  note: {note}", highlight=False, soft_wrap=True)
    if args.emit_mlir:
        needed = " ".join(flags) or "none beyond the target's"
        console.print(f"wrote {args.emit_mlir}; IREE flags it needs: {needed}", highlight=False)
    return 0


def _plan(args: argparse.Namespace) -> int:
    from vtile.compiler import planner_for
    from vtile.context import make_context
    from vtile.frontends.model import load_model
    from vtile.planner.memory_levels import with_memory_levels
    from vtile.planner.plan import plan_module
    from vtile.planner.report import plan_json, plan_tables
    from vtile.tables import Steps

    console, progress = _consoles()
    target = _target(args)
    options = planner_for(target, _planner(args))
    with Steps(progress) as steps:
        steps(f"importing {args.model}")
        model = load_model(args.model, make_context(), input_shapes=args.input_shape,
                           progress=steps)
        steps(f"planning {model.name}")
        with_memory_levels(model.module, target)
        plans = plan_module(model.module, options)
    if args.json:
        import json

        print(json.dumps(plan_json(plans, options), indent=2))
    else:
        for table in plan_tables(plans, options):
            console.print(table)
    return 0


def _report(args: argparse.Namespace) -> int:
    from mlir import ir

    from vtile.bench import device_local_peak
    from vtile.compiler import compile_model, planner_for
    from vtile.context import make_context
    from vtile.frontends.model import load_model
    from vtile.named_pipelines import NONE, VERTICAL_FUSION
    from vtile.outputs import check_writable
    from vtile.planner.memory_levels import with_memory_levels
    from vtile.planner.memory_report import plot_report, report_json, report_tables
    from vtile.planner.plan import plan_module
    from vtile.tables import Steps

    if args.pipeline:
        raise UsageError("report covers both pipelines ('none' and 'vertical-fusion'); "
                         "drop --pipeline")
    if args.measure and args.activation_bytes:
        raise UsageError("--measure runs the model at its own widths; drop --activation-bytes")
    if args.plot:
        check_writable(args.plot)
    console, progress = _consoles()
    target = _target(args)
    if args.measure and target.name != "llvm-cpu":
        raise UsageError(
            f"--measure compares the prediction with IREE's DEVICE_LOCAL peak on llvm-cpu, which "
            f"is what it models; {target.name} allocates differently (device memory, workgroup "
            "memory on chip); drop --measure, or compare pipelines there with `vtile bench`")
    options = planner_for(target, _planner(args))
    measured: dict[str, int] = {}
    with Steps(progress) as steps:
        steps(f"importing {args.model}")
        model = load_model(args.model, make_context(), input_shapes=args.input_shape,
                           progress=steps)
        steps(f"planning {model.name}")
        # A copy: the memory levels stay off the module that --measure compiles.
        module = ir.Module.parse(str(model.module), model.module.context)
        with_memory_levels(module, target)
        plans = plan_module(module, options)
        if args.measure:
            for pipeline in (NONE, VERTICAL_FUSION):
                steps(f"compiling and running {model.name} for {target.name} "
                      f"(pipeline '{pipeline}')")
                compiled = compile_model(model, target, pipeline, planner=_planner(args))
                measured[pipeline] = device_local_peak(compiled)
        reports = [report_json(plan.memory_plan(False, args.activation_bytes),
                               plan.memory_plan(True, args.activation_bytes, options.order),
                               options.memory_budget,
                               measured if plan.function == model.function else None)
                   for plan in plans]  # fmt: skip
    if args.plot:
        entry = next((r for r in reports if r["function"] == model.function), reports[0])
        plot_report(entry, args.plot)
    if args.json:
        import json

        print(json.dumps(reports, indent=2))
    else:
        for report in reports:
            for table in report_tables(report):
                console.print(table)
    if args.plot:
        progress.print(f"wrote {args.plot}", highlight=False)
    return 0


def _run(args: argparse.Namespace) -> int:
    from vtile.numerics import check_outputs
    from vtile.outputs import check_writable, write_all
    from vtile.tables import Steps, numerics_table, outputs_table

    console, progress = _consoles()
    target = _target(args)
    if args.save_outputs:
        check_writable(args.save_outputs)
    inputs = [_read_npy(path) for path in args.input]
    with Steps(progress) as steps:
        if args.model.endswith(".vmfb"):
            outputs, reference, name = _run_vmfb(args, target, inputs, steps), None, args.model
        else:
            compiled = _import_and_compile(args, target, steps)
            model = compiled.model
            inputs = inputs or model.sample_inputs
            steps(f"running {model.name} on {target.name}")
            outputs, reference, name = compiled(*inputs), model.reference, model.name
    console.print(outputs_table(outputs))
    if args.save_outputs:
        import io

        import numpy as np

        archive = io.BytesIO()
        np.savez(archive, *outputs)
        write_all({args.save_outputs: archive.getvalue()})
        console.print(f"wrote {args.save_outputs}")
    if args.no_check or reference is None:
        console.print("numerics not checked (" + (
            "--no-check" if args.no_check else "no framework reference for this input") + ")")
        return 0
    check = check_outputs(outputs, reference(inputs))
    console.print(numerics_table([(name, target.name, check)], reference.name))
    return 0 if check.passed else 1


def _run_vmfb(args: argparse.Namespace, target, inputs, steps):
    from vtile.backends.iree import load

    path = Path(args.model)
    if not path.is_file():
        raise ModelError(f"no such file: {path}")
    if not inputs:
        raise UsageError("running a .vmfb needs its inputs: --input FILE.npy for each")
    steps(f"running {path} on {target.name}")
    loaded = load(path.read_bytes(), target, args.function)
    try:
        return loaded(*inputs)
    except (ValueError, RuntimeError) as error:
        raise RunError(f"{path} @{args.function} failed: {str(error).splitlines()[0]}") from None


def _read_npy(path: Path):
    import numpy as np

    if not path.is_file():
        raise UsageError(f"no such file: {path}")
    try:
        return np.load(path, allow_pickle=False)
    except (OSError, ValueError) as error:
        raise UsageError(f"{path} is not a .npy array: {error}") from None


def _bench(args: argparse.Namespace) -> int:
    from vtile.bench import compare
    from vtile.tables import Steps, bench_table

    console, progress = _consoles()
    target = _target(args)
    with Steps(progress) as steps:
        compiled = _import_and_compile(args, target, steps)
        baseline = None
        if args.model.endswith(".onnx"):  # what an ONNX user would otherwise run
            from vtile.compiler import compile_with_iree_onnx

            steps(f"compiling {args.model} with IREE's own ONNX flow (iree-import-onnx)")
            baseline = compile_with_iree_onnx(Path(args.model), compiled.model, compiled.target)
        comparison = compare(compiled, args.repetitions, steps, baseline)
    console.print(bench_table([comparison]))
    return 0


def _replay(args: argparse.Namespace) -> int:
    from vtile.compiler import planner_for
    from vtile.context import make_context
    from vtile.frontends.mlir_text import parse_module
    from vtile.named_pipelines import named_pipeline
    from vtile.pipeline import PipelineOptions, replay_options

    console, _ = _consoles()
    if not args.reproducer.is_file():
        raise ModelError(f"no such file: {args.reproducer}")
    parser = argparse.ArgumentParser(prog=f"{args.reproducer}'s options", add_help=False,
                                     parents=[_target_options()])  # fmt: skip
    parser.add_argument("--from-stage", required=True)
    text = args.reproducer.read_text()
    recorded = parser.parse_args(replay_options(text))
    target = _target(recorded)
    pipeline = named_pipeline(recorded.pipeline, planner_for(target, _planner(recorded)), target)
    pipeline = pipeline.starting_at(recorded.from_stage)
    module = parse_module(text, make_context(), str(args.reproducer))
    pipeline.run(module, PipelineOptions(reproducer_dir=args.reproducer_dir))
    stages = ", ".join(stage.name for stage in pipeline.stages)
    console.print(f"replayed {args.reproducer}: pipeline '{pipeline.name}' stages {stages} "
                  "ran without failing", highlight=False)
    return 0


def _demo(args: argparse.Namespace) -> int:
    from vtile.demo import run_demo

    return run_demo(*_consoles(), args.repetitions)


def main(argv: list[str] | None = None) -> None:
    args = _parser().parse_args(argv)
    # torch.export's deprecation chatter is not the user's problem.
    warnings.filterwarnings("ignore", category=FutureWarning)
    warnings.filterwarnings("ignore", category=UserWarning)
    try:
        sys.exit(args.run(args))
    except VtileError as error:
        print(f"vtile {args.command}: error: {error}", file=sys.stderr)
        sys.exit(error.exit_code)
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    main()
