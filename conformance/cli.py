"""The `graph-conformance` command line: generate, serve, sweep, preflight, verify."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

from conformance import __version__
from conformance.errors import ConformanceError
from conformance.outcomes import ExitCode


class _HelpFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """`--help` shows each option's default, where it has one worth showing (not None, False or [])."""

    def _get_help_string(self, action: argparse.Action) -> str:
        if action.default is None or action.default is False or action.default in ([], argparse.SUPPRESS):
            return action.help or ""
        return super()._get_help_string(action) or ""


class _Parser(argparse.ArgumentParser):
    """argparse, with a usage mistake as one line: `graph-conformance serve: error: ... (see --help)`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _HelpFormatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        self.exit(ExitCode.USAGE, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="graph-conformance",
        description="Conformance suite for Microsoft Graph's `event: cancel`. The suite itself runs under "
        "pytest: pytest --pyargs conformance.cases [--target FILE | --base-url URL].",
    )
    parser.add_argument("--version", action="version", version=f"graph-conformance {__version__}")
    commands = parser.add_subparsers(
        dest="command", required=True, metavar="COMMAND", parser_class=_Parser
    )

    generate = commands.add_parser(
        "generate", help="regenerate the OpenAPI description and catalog from the page"
    )
    generate.add_argument(
        "--check", action="store_true", help="fail with a diff when committed files are stale"
    )
    generate.add_argument(
        "--source", metavar="PAGE", help="a Graph reference page (Markdown) to generate from"
    )
    generate.add_argument(
        "--out", metavar="FILE", help="where to write the OpenAPI description (with --source)"
    )

    serve = commands.add_parser(
        "serve", help="run the reference server (a Graph calendar subset)")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (loopback only by default)")
    serve.add_argument("--port", type=int, default=8765, help="0 picks a free port")
    serve.add_argument("--db", metavar="PATH", help="SQLite file for durable state (default: in memory)")
    serve.add_argument("--write-target", metavar="FILE", help="write a target file the suite can consume")
    serve.add_argument("--latency-ms", type=int, default=0, help="add this latency to every answer")
    serve.add_argument(
        "--throttle", action="store_true", help="429 + Retry-After past 4 concurrent per mailbox"
    )
    serve.add_argument(
        "--rate-limit", type=float, default=0.0, help="with --throttle: requests/second per mailbox"
    )
    serve.add_argument(
        "--throttle-every", type=int, default=0, metavar="N",
        help="refuse every Nth request with --throttle-status and Retry-After (0: never)",
    )
    serve.add_argument(
        "--throttle-status", type=int, default=429, metavar="STATUS", help="with --throttle-every: 429 or 503"
    )
    serve.add_argument(
        "--retry-after", type=float, default=1.0, metavar="S", help="with --throttle-every: Retry-After (s)"
    )
    serve.add_argument(
        "--message-delay-ms", type=int, default=0, help="attendee messages and copies appear late"
    )
    serve.add_argument(
        "--apply-delay-ms", type=int, default=0, help="a cancel's effects are applied this long after its 202"
    )
    serve.add_argument(
        "--list-delay-ms", type=int, default=0, help="a message is listed this long after it exists"
    )
    serve.add_argument(
        "--send-limit",
        type=int,
        default=0,
        metavar="N",
        help="meeting messages per minute per sender (as Exchange); later ones arrive late, never lost",
    )
    serve.add_argument(
        "--fault", action="append", default=[], metavar="NAME", help="deviate from the page (repeatable)"
    )
    serve.add_argument("--list-faults", action="store_true", help="print the fault switches and exit")

    sweep = commands.add_parser(
        "sweep", help="remove leftovers of aborted runs, by tag")
    sweep.add_argument("--target", required=True, metavar="FILE", help="the target file to sweep")
    sweep.add_argument("--run-id", help="only this run's leftovers (default: every run's)")
    sweep.add_argument("--dry-run", action="store_true", help="list what would be removed")

    preflight = commands.add_parser(
        "preflight", help="check in seconds that a target offers what the suite needs besides cancel"
    )
    preflight.add_argument("--target", metavar="FILE", help="target file (env: GRAPH_CONFORMANCE_TARGET)")
    preflight.add_argument(
        "--base-url", metavar="URL", help="the target's Graph base URL (as `pytest --base-url`)"
    )
    preflight.add_argument("--run-id", help="tag of the objects it creates (and removes)")
    preflight.add_argument("--actions", metavar="A,B", help="the actions to check (as `pytest --actions`)")

    verify = commands.add_parser(
        "verify", help="check a certification bundle offline")
    verify.add_argument("bundle", metavar="BUNDLE", help="a bundle directory, e.g. reports/latest/bundle")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the process exit code (no arguments: the commands, exit 2)."""
    parser = _build_parser()
    if not (sys.argv[1:] if argv is None else list(argv)):
        parser.print_help(sys.stderr)
        return ExitCode.USAGE
    args = parser.parse_args(argv)
    try:
        if args.command == "generate":
            from conformance.spec.generate import run_generate

            return run_generate(check=args.check, source=args.source, out=args.out)
        if args.command == "serve":
            from conformance.reference.serve import run_serve

            return run_serve(args)
        if args.command == "sweep":
            from conformance.target.sweep import run_sweep

            return run_sweep(target_file=args.target, run_id=args.run_id, dry_run=args.dry_run)
        if args.command == "preflight":
            from conformance.target.preflight import run_preflight

            return run_preflight(target_file=args.target, base_url=args.base_url, run_id=args.run_id,
                                 actions=args.actions)
        if args.command == "verify":
            from conformance.report.verify import run_verify

            return run_verify(args.bundle)
    except ConformanceError as error:
        print(f"graph-conformance {args.command}: error: {' '.join(str(error).split())}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        return ExitCode.INTERRUPTED
    raise AssertionError(f"unhandled command {args.command}")


if __name__ == "__main__":
    sys.exit(main())
