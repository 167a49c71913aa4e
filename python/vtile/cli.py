"""The `vtile` command line."""

from __future__ import annotations

import argparse
import sys

from vtile.errors import VtileError


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="vtile",
        description="Vertical tiling fusion for edge inference on MLIR and IREE.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    demo = commands.add_parser(
        "demo",
        help="build a tiled conv in the tile/dataflow dialects, verify it and "
        "report its memory footprint",
        description="Smoke demo of vtile's dialects: builds a tiled convolution "
        "with the Python op builders, verifies and prints it, runs the "
        "tile-report-footprint pass, and shows the verifier rejecting a tile "
        "that does not fit the target's memory.",
    )
    demo.set_defaults(run=_run_demo)
    return parser


def _run_demo(args: argparse.Namespace) -> int:
    from vtile.demo import run_demo

    return run_demo()


def main(argv: list[str] | None = None) -> None:
    args = _parser().parse_args(argv)
    try:
        sys.exit(args.run(args))
    except VtileError as error:
        sys.exit(f"vtile {args.command}: error: {error}")


if __name__ == "__main__":
    main()
