"""Command-line conventions: --version, the commands without arguments, --help defaults, one-line errors."""

from __future__ import annotations

import re

import pytest

from conformance import __version__
from conformance.cli import main
from tests._inner_run import REPO_ROOT, cases_command, run_child

COMMANDS = ("generate", "serve", "sweep", "preflight", "verify")


def test_version_is_printed(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["--version"])
    assert stopped.value.code == 0
    assert capsys.readouterr().out.strip() == f"graph-conformance {__version__}"


def test_no_arguments_lists_the_commands_and_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    listed = capsys.readouterr().err
    assert all(re.search(rf"^\s+{command}\b", listed, re.M) for command in COMMANDS), listed


@pytest.mark.parametrize("command", COMMANDS)
def test_each_help_shows_the_defaults(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main([command, "--help"])
    shown = capsys.readouterr().out
    assert "(default: None)" not in shown and "(default: False)" not in shown
    if command == "serve":
        assert "(default: 127.0.0.1)" in shown and "(default: 8765)" in shown and "(default: 0)" in shown


@pytest.mark.parametrize("arguments", [["nope"], ["serve", "--port", "x"], ["verify"]])
def test_a_usage_mistake_is_one_line(arguments: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(arguments)
    assert stopped.value.code == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("graph-conformance"), lines
    assert "see graph-conformance" in lines[0]


def test_a_bad_report_option_is_one_line_without_exit_prefix(tmp_path: object) -> None:
    completed = run_child(cases_command("--product", "product.yaml"), REPO_ROOT, timeout_s=120)
    output = (completed.stdout + completed.stderr).strip()
    assert completed.returncode == 2, output
    assert output == "graph-conformance: --product is only used with --certify"
