"""``osa-report``: the collection's command line.

Subcommands import what they need when they run, so ``osa-report --help`` is quick.
A user's mistake (bad data, a wrong parameter) ends with a message and exit 1,
not a traceback; a traceback means a bug in this package.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path


def _cmd_validate(args) -> int:
    from .data import check, read_descriptor

    problems = check(args.data_dir)
    if problems:
        for p in problems:
            print(p, file=sys.stderr)
        print(f"{len(problems)} problem(s) found in {args.data_dir}", file=sys.stderr)
        return 1
    n = len(read_descriptor(args.data_dir)["resources"])
    print(f"{args.data_dir}: {n} tables valid against datapackage.json")
    return 0


def _cmd_build(args) -> int:
    from .build import build_data_report
    from .data import DataValidationError

    try:
        index = build_data_report(args.data_dir, args.out)
    except DataValidationError as exc:
        for p in exc.problems:
            print(p, file=sys.stderr)
        print(f"{len(exc.problems)} data problem(s): report not built, the previous one is unchanged",
              file=sys.stderr)
        return 1
    print(f"report written to {index}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    from . import DEFAULT_DATA_DIR

    parser = argparse.ArgumentParser(
        prog="osa-report",
        description="Validate, build and check the reproducible edition of 'Europe's Strategic "
                    "Technology Autonomy from China' (Digital Power China, 2023).")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("validate", help="check data/ against data/datapackage.json",
                       description="Check every CSV against data/datapackage.json and print every "
                                   "problem as file:row:column: problem (found X, expected Y).")
    p.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR, help="data package folder (default: %(default)s)")
    p.set_defaults(func=_cmd_validate)

    p = sub.add_parser("build", help="build the regenerated report",
                       description="Validate the data and build the regenerated report into OUT/index.html.")
    p.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR, help="data package folder (default: %(default)s)")
    p.add_argument("--out", type=Path, default=Path("report"), help="output folder (default: %(default)s)")
    p.set_defaults(func=_cmd_build)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
