"""Command line: `python -m grading batch` (JSON lines) and `python -m grading check` (one answer)."""

from __future__ import annotations

import argparse
import json
import sys

from grading.core import SpecError, grade_spec
from grading.core.batch import run
from grading.core.spec import KINDS

_EXIT = {"correct": 0, "incorrect": 1, "invalid": 2}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m grading", description="Grade math answers.")
    commands = parser.add_subparsers(dest="command", required=True)
    batch = commands.add_parser("batch", help="grade JSON lines from stdin, one JSON verdict per line on stdout")
    batch.add_argument("--budget", type=float, default=2.0, help="seconds per answer (default 2)")
    check = commands.add_parser("check", help="grade one answer; exit 0 correct, 1 incorrect, 2 invalid")
    check.add_argument("--kind", required=True, choices=KINDS)
    check.add_argument("--reference", required=True)
    check.add_argument("--answer", required=True)
    check.add_argument("--variables", default="", help="comma-separated, e.g. x,y")
    check.add_argument("--shapes", help='matrix_expression: JSON, e.g. {"x": ["n"], "A": ["m", "n"]}')
    check.add_argument("--functions", default="", help="matrix_expression: comma-separated, e.g. sigma")
    check.add_argument("--rtol", type=float)
    check.add_argument("--atol", type=float)
    check.add_argument("--budget", type=float, default=2.0)
    args = parser.parse_args(argv)

    if args.command == "batch":
        run(sys.stdin, sys.stdout, args.budget)
        return 0
    spec: dict = {"kind": args.kind, "reference": args.reference}
    spec["variables"] = [v.strip() for v in args.variables.split(",") if v.strip()]
    if args.kind == "matrix_expression":
        try:
            spec["shapes"] = json.loads(args.shapes or "{}")
        except json.JSONDecodeError as exc:
            print(f"invalid request: --shapes is not JSON ({exc.msg})", file=sys.stderr)
            return 2
        spec["functions"] = [f.strip() for f in args.functions.split(",") if f.strip()]
    spec.update({k: getattr(args, k) for k in ("rtol", "atol") if getattr(args, k) is not None})
    try:
        verdict = grade_spec(spec, args.answer, budget_s=args.budget)
    except SpecError as exc:
        print(f"invalid request: {exc.message}", file=sys.stderr)
        return 2
    print(f"{verdict.status} (score {verdict.score:g})")
    print(verdict.feedback)
    if verdict.latex:
        print(f"read as: {verdict.latex}")
    return _EXIT[verdict.status]


if __name__ == "__main__":
    sys.exit(main())
