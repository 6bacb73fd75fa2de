"""The plugin as users run it: `pytest --pyargs conformance.cases` in a child process, elsewhere."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from conformance._stash import RunContext
from conformance.reference.serve import ReferenceServer
from tests._inner_run import REPO_ROOT, cases_command, pytest_command, run_child
from tests.plugin._chaos_proxy import PASS, STALL, ChaosProxy

CHILD_TIMEOUT_S = 240


def run_cases(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`python -m pytest --pyargs conformance.cases ARGS` in `cwd`, reports under cwd/reports."""
    return run_child(cases_command("-rfs", "--reports-dir", str(cwd / "reports"), *args), cwd,
                     timeout_s=CHILD_TIMEOUT_S)


def run_against(tmp_path: Path, document: dict[str, Any], name: str) -> tuple[int, str]:
    """The cases run against a target file `name` holding `document`: their exit code and output."""
    target_file = tmp_path / name
    target_file.write_text(yaml.safe_dump(document), encoding="utf-8")
    completed = run_cases(tmp_path, "--target", str(target_file))
    return completed.returncode, completed.stdout + completed.stderr


def failed_tests(output: str) -> set[str]:
    return set(re.findall(r"^FAILED (\S+)", output, flags=re.MULTILINE))


def certification(cwd: Path) -> dict:  # type: ignore[type-arg]
    found = sorted((cwd / "reports").glob("*/certification.json"))
    return json.loads(found[-1].read_text(encoding="utf-8")) if found else {}


def test_routes_pass_against_the_embedded_server_from_any_directory(tmp_path: Path) -> None:
    completed = run_cases(tmp_path, "-k", "routes")
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, output[-4000:]
    assert re.search(
        r"graph-conformance: target 'graph-conformance reference server \(embedded\)' at embedded", output
    ), output[:2000]
    assert not failed_tests(output)
    passed = int(re.search(r"(\d+) passed", output).group(1))  # type: ignore[union-attr]
    assert passed >= 17 * 2 + 10 + 2 + 4


def test_route_missing_fault_fails_exactly_the_me_events_route_case(tmp_path: Path) -> None:
    with ReferenceServer(faults=["route-missing-me-events"]) as server:
        target_file = tmp_path / "target.yaml"
        server.write_target(target_file)
        secrets = {str(server.target_document()["token_defaults"]["client_secret"])}
        completed = run_cases(tmp_path, "--target", str(target_file), "-k", "test_routes")
    output = completed.stdout + completed.stderr
    assert completed.returncode == 1, output[-4000:]
    failed = failed_tests(output)
    assert len(failed) == 1, output[-4000:]
    assert failed.pop().endswith("test_routes.py::test_cancel_route_accepts_the_organizers_cancel[me-events]")
    assert "[CANCEL-ROUTE-ME-EVENTS]" in output and "reproduce: curl" in output
    assert "Bearer [REDACTED]" in output or "$TOKEN" in output
    assert not any(secret in output for secret in secrets)


@pytest.mark.parametrize(
    ("dist_args", "scheduler"), [((), "WorkStealingScheduling"), (("--dist", "load"), "LoadScheduling")]
)
def test_parallel_run_shares_the_run_id_and_counts_requests(
    tmp_path: Path, dist_args: tuple[str, ...], scheduler: str
) -> None:
    """`-n` alone schedules with worksteal (an explicit --dist is kept); the run id and counts are shared."""
    completed = run_cases(
        tmp_path, "-n", "2", "-v", *dist_args, "-k", "organizers_cancel", "--run-id", "gc-xdist-check"
    )
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, output[-4000:]
    assert "run id gc-xdist-check" in output
    assert f"scheduling tests via {scheduler}" in output, output[:3000]
    requests = certification(tmp_path).get("summary", {}).get("requests")
    assert isinstance(requests, int) and requests >= 17 * 3, certification(tmp_path).get("summary")


REFUSED_TARGETS = {  # target document, what the one error line says, what the output must not show
    "remote-without-attendees": (
        {"base_url": "https://graph.example.invalid/v1.0",
         "identities": {"organizer": {"user_id": "u", "token": {"kind": "literal", "value": "t0k3n-value"}}}},
        "refusing to run against https://graph.example.invalid/v1.0",
        "t0k3n-value",
    ),
    "invalid-key": (
        {"base_url": "http://127.0.0.1:9/v1.0",
         "identities": {"organizer": {"user_id": "u", "token": {"kind": "pasword"}}}},
        "identities.organizer.token.kind: 'pasword' is not one of",
        "Traceback",
    ),
}


@pytest.mark.parametrize(
    ("document", "said", "not_said"), list(REFUSED_TARGETS.values()), ids=list(REFUSED_TARGETS)
)
def test_a_remote_target_without_attendees_or_an_invalid_target_file_exits_2_saying_why(
    tmp_path: Path, document: dict[str, Any], said: str, not_said: str
) -> None:
    exit_code, output = run_against(tmp_path, document, "target.yaml")
    assert exit_code == 2, output[-3000:]
    assert said in output
    assert not_said not in output


def test_unreachable_target_exits_3(tmp_path: Path) -> None:
    with ReferenceServer() as server:
        document = server.target_document()
    exit_code, output = run_against(tmp_path, document, "gone.yaml")  # its server has stopped
    assert exit_code == 3, output[-3000:]
    assert "does not answer" in output and document["base_url"] in output


def test_unsupported_profiles_are_not_applicable_and_missing_identities_not_verified(tmp_path: Path) -> None:
    with ReferenceServer() as server:
        document = server.target_document()
        document["unsupported_profiles"] = ["routes-legacy"]
        del document["identities"]["personal"]
        target_file = tmp_path / "partial.yaml"
        target_file.write_text(yaml.safe_dump(document), encoding="utf-8")
        completed = run_cases(
            tmp_path,
            "--target",
            str(target_file),
            "-k",
            "organizers_cancel and me-calendargroup-calendars or test_personal_account_cancels",
        )
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, output[-3000:]
    assert "2 skipped" in output, output[-3000:]
    assert re.search(
        r"not-applicable: CANCEL-ROUTE-ME-CALENDARGROUP-CALENDARS-EVENTS belongs to profile "
        r"'routes-legacy'",
        output,
    ), output[-3000:]
    assert re.search(
        r"not-verified: the target configures no 'personal' identity; add identities.personal", output
    ), output[-3000:]


def test_base_url_alone_runs_against_a_served_reference_server(tmp_path: Path) -> None:
    """`pytest --base-url URL`: the loopback reference server describes its identities itself."""
    with ReferenceServer() as server:
        completed = run_cases(tmp_path, "--base-url", server.base_url, "-k", "organizers_cancel")
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, output[-4000:]
    assert f"at {server.base_url}" in output
    assert certification(tmp_path).get("summary", {}).get("requests", 0) > 0


def run_pytest_at_root(*args: str, environ: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """`python -m pytest ARGS` started in the repository root, as a user would type it there."""
    return run_child(pytest_command(*args), REPO_ROOT, extra_environ=environ, timeout_s=CHILD_TIMEOUT_S)


def bad_target_files(tmp_path: Path) -> dict[str, Path]:
    """Target files that cannot be used: missing, not YAML, a wrong key, not UTF-8, a directory."""
    not_yaml = tmp_path / "not-yaml.yaml"
    not_yaml.write_text("base_url: [\nidentities: {", encoding="utf-8")
    wrong_kind = tmp_path / "wrong-kind.yaml"
    wrong_kind.write_text(
        yaml.safe_dump({"base_url": "http://127.0.0.1:9/v1.0",
                        "identities": {"organizer": {"user_id": "u", "token": {"kind": "pasword"}}}}),
        encoding="utf-8",
    )
    not_utf8 = tmp_path / "not-utf8.yaml"
    not_utf8.write_bytes(b"base_url: \xff\xfe\n")
    return {"missing": tmp_path / "missing.yaml", "not-yaml": not_yaml, "wrong-kind": wrong_kind,
            "not-utf8": not_utf8, "a-directory": tmp_path}


BAD_TARGETS = ["missing", "not-yaml", "wrong-kind", "not-utf8", "a-directory"]


@pytest.mark.parametrize("bad", BAD_TARGETS)
def test_help_with_a_bad_target_in_the_environment_shows_help_and_no_traceback(
    tmp_path: Path, bad: str
) -> None:
    target_file = bad_target_files(tmp_path)[bad]
    completed = run_pytest_at_root("--help", environ={"GRAPH_CONFORMANCE_TARGET": str(target_file)})
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, output[-3000:]
    assert "--target=FILE" in output and "Traceback (most recent call last)" not in output, output[-3000:]


@pytest.mark.parametrize("bad", BAD_TARGETS)
@pytest.mark.parametrize("given_by", ["option", "environment"])
def test_a_bad_target_is_one_line_and_exit_2(tmp_path: Path, bad: str, given_by: str) -> None:
    target_file = str(bad_target_files(tmp_path)[bad])
    if given_by == "option":
        completed = run_pytest_at_root("--target", target_file)
    else:
        completed = run_pytest_at_root(environ={"GRAPH_CONFORMANCE_TARGET": target_file})
    output = completed.stdout + completed.stderr
    assert completed.returncode == 2, output[-3000:]
    lines = [line for line in output.splitlines() if line.strip()]
    assert len(lines) == 1, output[-3000:]  # printed once, nothing else
    assert lines[0].startswith("graph-conformance: ") and target_file in lines[0], lines[0]
    assert "Traceback" not in output


def test_a_bad_run_id_is_one_line_and_exit_2() -> None:
    completed = run_pytest_at_root("--run-id", "not a run id!")
    output = completed.stdout + completed.stderr
    assert completed.returncode == 2, output[-3000:]
    assert output.strip().splitlines() == [
        "graph-conformance: --run-id 'not a run id!': use letters, digits, '.', '_' or '-' (max 64)"
    ]


def collected_node_ids(output: str) -> list[str]:
    """The node ids `pytest --collect-only -q` listed."""
    return re.findall(r"^(\S+::\S+)$", output, flags=re.MULTILINE)


@pytest.mark.parametrize("given", ["--target=FILE", "--reports-dir DIR"])
def test_an_option_naming_a_path_elsewhere_still_collects_only_the_conformance_cases(
    tmp_path: Path, given: str
) -> None:
    """`--target=/elsewhere/FILE` (one word), or a path that does not exist yet, leaves pytest's rootdir."""
    with ReferenceServer() as server:
        document = server.target_document()
    target_file = tmp_path / "target.yaml"
    target_file.write_text(yaml.safe_dump(document), encoding="utf-8")  # collecting sends no request
    arguments = ([f"--target={target_file}"] if given == "--target=FILE"
                 else ["--reports-dir", str(tmp_path / "not-yet")])
    completed = run_pytest_at_root("--collect-only", "-q", *arguments)
    expected = run_pytest_at_root("--collect-only", "-q", "conformance/cases")
    node_ids = collected_node_ids(completed.stdout)
    assert node_ids, completed.stdout[-3000:] + completed.stderr[-2000:]
    assert all(node_id.startswith("conformance/cases/") for node_id in node_ids), node_ids[:5]
    assert node_ids == collected_node_ids(expected.stdout)
    assert f"rootdir: {REPO_ROOT}" in run_pytest_at_root("--collect-only", *arguments).stdout


def test_a_rootdir_moved_by_an_option_value_is_one_line_naming_the_fix(tmp_path: Path) -> None:
    """`--target /elsewhere/FILE` (two words): pytest makes /elsewhere its rootdir and skips the project's
    ini; without test arguments that collects the wrong tests, so the run stops with one line (exit 2)."""
    target_file = tmp_path / "target.yaml"
    target_file.write_text("base_url: http://127.0.0.1:1/v1.0\n", encoding="utf-8")
    completed = run_pytest_at_root("--collect-only", "-q", "--target", str(target_file))
    lines = (completed.stdout + completed.stderr).strip().splitlines()
    assert completed.returncode == 2, lines[-20:]
    assert lines == [f"graph-conformance: pytest took the path in `--target {target_file}` for a test path "
                     f"and made {tmp_path} its rootdir, so the project's ini was not read; write "
                     f"--target={target_file} (one word) or add --rootdir ."]


INNER_CASES = '''
import requests
from conformance.target.prerequisites import PrerequisiteFailed


def test_a_request_goes_unanswered(target):
    raise requests.ConnectionError("one request was never answered")


def test_a_prerequisite_is_missing(target):
    raise PrerequisiteFailed("EVENT-CREATE", "POST /me/events answered 200 without an id")


def test_the_run_goes_on(target):
    assert target.base_url
'''


def run_inner_cases(
    tmp_path: Path, base_url: str, document: dict[str, Any]
) -> subprocess.CompletedProcess[str]:
    """Three inner tests against a target file whose base_url is `base_url`; junit XML in tmp_path."""
    (tmp_path / "test_inner.py").write_text(INNER_CASES, encoding="utf-8")
    target_file = tmp_path / "target.yaml"
    target_file.write_text(yaml.safe_dump({**document, "base_url": base_url,
                                           "timeouts": {"connect": 1, "read": 1}}), encoding="utf-8")
    command = pytest_command("-p", "no:randomly", "-rs", str(tmp_path / "test_inner.py"), "--target",
                             str(target_file), "--junitxml", str(tmp_path / "junit.xml"),
                             "--reports-dir", str(tmp_path / "reports"))
    return run_child(command, tmp_path, timeout_s=CHILD_TIMEOUT_S)


def test_an_unanswered_request_with_the_target_still_answering_is_not_verified_and_the_run_goes_on(
    tmp_path: Path,
) -> None:
    with ReferenceServer() as server:
        completed = run_inner_cases(tmp_path, server.base_url, server.target_document())
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, output[-3000:]
    assert "1 passed, 2 skipped" in output, output[-3000:]
    assert "not-verified: the target did not answer one request" in output, output[-3000:]
    assert "not-verified: prerequisite EVENT-CREATE failed: POST /me/events answered 200 without" in output
    junit = (tmp_path / "junit.xml").read_text(encoding="utf-8")
    assert 'name="graph_conformance_prerequisite"' in junit and "EVENT-CREATE" in junit, junit[-2000:]


def test_an_unanswered_request_with_the_target_gone_stops_the_run_with_exit_3(tmp_path: Path) -> None:
    def answer_only_the_start_probe(number: int, method: str, path: str) -> str:
        """The start probe and the configuration check (GET /me ...) are answered; later probes never."""
        return PASS if number == 1 or path.split("?")[0].rstrip("/") != "/v1.0" else STALL

    with ReferenceServer() as server:
        proxy = ChaosProxy(server.root_url, answer_only_the_start_probe, stall_s=10.0)
        with proxy.running():
            completed = run_inner_cases(tmp_path, f"{proxy.root_url}/v1.0", server.target_document())
    output = completed.stdout + completed.stderr
    assert completed.returncode == 3, output[-3000:]
    assert "a health probe got no answer either" in output, output[-3000:]
    assert "test_the_run_goes_on" not in (tmp_path / "junit.xml").read_text(encoding="utf-8")
    assert "Traceback (most recent call last)" not in output


def test_run_context_info_carries_the_run_and_what_others_added() -> None:
    context = RunContext(run_id="gc-test", target_name="t", base_url="http://127.0.0.1:1/v1.0")
    context.extras["schemathesis"] = {"tests": 1}
    context.request_count, context.target_unreachable = 7, "GET /me: no answer"
    assert context.info() == {
        "run_id": "gc-test", "target_name": "t", "base_url": "http://127.0.0.1:1/v1.0",
        "unsupported_profiles": [], "actions": [], "suite_version": context.suite_version,
        "target_unreachable": "GET /me: no answer", "schemathesis": {"tests": 1},
    }


def test_prerequisite_records_reach_the_report_through_the_provision_fixture(tmp_path: Path) -> None:
    """Interfaces 1 and 8: what the Provisioner tried (worked or failed) reaches the item, then the report."""
    with ReferenceServer(faults=["gap-no-instances"]) as server:
        target_file = tmp_path / "target.yaml"
        server.write_target(target_file)
        completed = run_cases(tmp_path, "--target", str(target_file), "-k", "occurrence")
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, output[-3000:]
    assert "not-verified: prerequisite INSTANCES failed: " in output, output[-3000:]
    rows = {row["id"]: row for row in certification(tmp_path).get("prerequisites", [])}
    assert rows.get("SERIES-CREATE", {}).get("worked", 0) > 0, rows.keys()
    instances = rows.get("INSTANCES", {})
    assert instances.get("failed", 0) > 0 and "CANCEL-OCCURRENCE" in instances.get("blocked", []), instances
