"""`graph-conformance serve` refuses every bad argument with exit 2 and one line naming it."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from conformance.cli import main


@pytest.mark.parametrize(
    ("arguments", "named"),
    [
        (["--port", "99999"], "--port 99999: must be 0-65535"),
        (["--port", "-1"], "--port -1: must be 0-65535"),
        (["--latency-ms", "-5"], "--latency-ms -5: must be 0 or more"),
        (["--message-delay-ms", "-1"], "--message-delay-ms -1: must be 0 or more"),
        (["--rate-limit", "-2"], "--rate-limit -2.0: must be 0 or more"),
        (["--rate-limit", "nan"], "--rate-limit nan: expected a number"),
        (["--send-limit", "-3"], "--send-limit -3: must be 0 or more"),
        (["--fault", "no-such-fault"], "unknown fault switch(es): no-such-fault; valid names:"),
        (["--db", "{tmp}/missing/dir/state.sqlite"], "--db {tmp}/missing/dir/state.sqlite: cannot use it"),
        (["--db", "{tmp}"], "--db {tmp}: cannot use it as an SQLite database"),
        (["--db", "{tmp}/not-a-database.txt"], "(file is not a database)"),
        (["--port", "0", "--write-target", "{tmp}/missing/target.yaml"], "--write-target {tmp}/missing/"),
        (["--host", "256.1.1.1", "--port", "0"], "cannot listen on 256.1.1.1:0"),
    ],
    ids=lambda value: " ".join(value) if isinstance(value, list) else "",
)
def test_bad_serve_arguments_exit_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], arguments: list[str], named: str
) -> None:
    (tmp_path / "not-a-database.txt").write_text("plain text, long enough to be read as a header " * 4)
    assert main(["serve", *(argument.format(tmp=tmp_path) for argument in arguments)]) == 2
    captured = capsys.readouterr()
    errors = [line for line in captured.err.splitlines() if "warning: listening on" not in line]
    assert len(errors) == 1 and errors[0].startswith("graph-conformance serve: error: "), captured.err
    assert named.format(tmp=tmp_path) in errors[0]
    assert "Traceback" not in captured.err and captured.out == ""


def test_port_in_use_is_named_with_the_fix(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["serve", "--port", str(port)]) == 2
    error = capsys.readouterr().err.strip()
    assert error == (
        f"graph-conformance serve: error: cannot listen on 127.0.0.1:{port} (Address already in use); "
        f"pick another --port (0 = any free port)"
    )
