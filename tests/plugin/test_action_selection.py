"""A target's `actions` and `--actions`: the cases of other actions are not-applicable and send nothing."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from conformance.reference.serve import ReferenceServer
from tests._inner_run import cases_command, run_child

CANCEL_CASE = "test_cancel_route_accepts_the_organizers_cancel[me-events]"
ACCEPT_CASE = "test_accept_routes_accept_it[me-events]"


def test_cases_of_actions_not_selected_are_not_applicable_per_action_and_send_nothing(tmp_path: Path) -> None:
    with ReferenceServer() as server:
        document = server.target_document()
        document["actions"] = ["cancel", "accept", "decline"]  # no forward, no reminders
        target_file = tmp_path / "target.yaml"
        target_file.write_text(yaml.safe_dump(document), encoding="utf-8")
        completed = run_child(cases_command(
            "-rs", "--target", str(target_file), "--actions", "accept,decline", "--reports-dir",
            str(tmp_path / "reports"), "-k", f"{CANCEL_CASE} or {ACCEPT_CASE}"), tmp_path, timeout_s=240)
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0 and "1 passed, 1 skipped" in output, output[-3000:]
    assert "not-applicable: action cancel is not selected for this run (actions: accept, decline)" in output
    report = json.loads(next((tmp_path / "reports").glob("gc-*/certification.json")).read_text("utf-8"))
    assert report["target"]["actions"] == ["accept", "decline"]
    verdicts = {entry["action"]: (entry["verdict"], entry["selected"]) for entry in report["actions"]}
    assert verdicts["cancel"] == verdicts["forward"] == ("not-applicable", False)
    assert verdicts["accept"][1] and verdicts["decline"][1] and verdicts["common"][1]
    cases = {case["nodeid"].rsplit("::", 1)[-1]: case for entry in report["requirements"]
             for case in entry["cases"]}
    assert cases[CANCEL_CASE]["outcome"] == "not-applicable"
    # it sends nothing of its own: the run's cleanup (the session's teardown, in the last item) may show there
    # (DELETEs, and cancels with "comment": "" removing meetings silently)
    assert all(exchange["method"] == "DELETE" or exchange["method"] == "POST" and '"comment": ""' in str(
        exchange.get("request_body")) for exchange in cases[CANCEL_CASE]["exchanges"])
    assert cases[ACCEPT_CASE]["outcome"] == "pass" and cases[ACCEPT_CASE]["exchanges"]
    summary = next((tmp_path / "reports").glob("gc-*/summary.md")).read_text("utf-8")
    assert "| `cancel` | ➖ not-applicable (not selected) |" in summary
    assert "| `snoozeReminder` | ➖ not-applicable (not selected) |" in summary
