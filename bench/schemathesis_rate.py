"""Benchmark (d): the same Schemathesis generation inside the suite vs `schemathesis run` (same description,
server, examples and seed), timed as whole processes.

The suite sends each distinct request once and judges it with every check family (the CLI counts every
generated case, repeats included), so the two case counts differ; the figure is the time ratio.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests
import yaml

from conformance.reference.serve import ReferenceServer

REPO_ROOT = Path(__file__).resolve().parents[1]
DESCRIPTION = REPO_ROOT / "openapi" / "event-cancel.yaml"
CASES_FILE = REPO_ROOT / "conformance" / "cases" / "generated" / "test_schemathesis.py"
EXAMPLES = 5
SEED = 1234
TARGET_RATIO = 0.8
REPEATS = 5  # each side runs this often, alternating; the best time counts (the machine is shared)
_SUITE_CASES = re.compile(r"schemathesis: .*?(\d+) generated cases")
_CLI_CASES = re.compile(r"Test cases:\s*(\d+) generated")


def organizer_token(document: dict[str, object]) -> str:
    """A password-grant token for the target document's organizer (never printed)."""
    defaults = dict(document["token_defaults"])  # type: ignore[call-overload]
    token = dict(document["identities"]["organizer"]["token"])  # type: ignore[index]
    fields = {**defaults, **token}
    grant = {"grant_type": "password", **{key: fields[key] for key in (
        "client_id", "client_secret", "username", "password", "scope")}}
    answer = requests.post(str(fields["token_url"]), data=grant, timeout=10)
    answer.raise_for_status()
    return str(answer.json()["access_token"])


def timed(command: list[str], env: dict[str, str] | None = None) -> tuple[float, int, str]:
    """Wall seconds, exit code and output of a child command."""
    started = time.monotonic()
    done = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, check=False, timeout=1800,
                          env=env)
    return time.monotonic() - started, done.returncode, done.stdout + done.stderr


def main() -> int:
    """Measure both rates on the same reference server; print them and the ratio."""
    with tempfile.TemporaryDirectory(prefix="gc-bench-st-") as work_dir, ReferenceServer() as server:
        document = server.target_document()
        target_file = Path(work_dir) / "target.yaml"
        target_file.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
        suite_command = [
            sys.executable, "-m", "pytest", str(CASES_FILE),
            "-q", "-p", "no:cacheprovider",
            "--target", str(target_file), "--reports-dir", str(Path(work_dir) / "reports"),
            "--st-examples", str(EXAMPLES), "--st-seed", str(SEED),
            "--st-full-routes"]  # every route generated in full, as the CLI does (the default does one)
        cli = str(Path(sys.executable).with_name("schemathesis"))
        cli_command = [
            cli, "run", str(DESCRIPTION), "--url", server.base_url, "-n", str(EXAMPLES), "--seed", str(SEED),
            "--report-dir", str(Path(work_dir) / "st-cli")]
        # the repo's schemathesis.toml sends `Authorization: Bearer ${GRAPH_TOKEN}`
        cli_env = {**os.environ, "GRAPH_TOKEN": organizer_token(document)}
        suite_runs, cli_runs = [], []
        for _ in range(REPEATS):
            suite_runs.append(timed(suite_command))
            cli_runs.append(timed(cli_command, env=cli_env))
    suite_s, suite_exit, suite_out = min(suite_runs)
    cli_s, cli_exit, cli_out = min(cli_runs)
    suite_cases = int(match[1]) if (match := _SUITE_CASES.search(suite_out)) else 0
    cli_cases = int(match[1]) if (match := _CLI_CASES.search(cli_out)) else 0
    ratio = cli_s / suite_s if suite_s else 0.0
    ok = ratio >= TARGET_RATIO and suite_cases > 0 and cli_cases > 0
    print(f"(d) Schemathesis, {EXAMPLES} examples per operation on every route, seed {SEED}, whole processes "
          f"timed (best of {REPEATS}, alternating):")
    print(f"    inside the suite: {suite_s:.1f} s, {suite_cases} distinct requests each judged by every "
          f"family (exit {suite_exit}; a real event per valid request)")
    print(f"    schemathesis run: {cli_s:.1f} s, {cli_cases} generated cases (exit {cli_exit})")
    print(f"    CLI time / suite time {ratio:.2f}; target >= {TARGET_RATIO} -> {'PASS' if ok else 'MISS'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
