"""End to end: certification runs of the real suite against the reference server, clean and with a fault."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml

from conformance.reference.serve import ReferenceServer
from conformance.report.verify import verify_bundle
from tests._inner_run import REPO_ROOT, cases_command
from tests.report._inner_project import PRODUCT_YAML, verdicts_of

SUITE_TIMEOUT_S = 600
ST_OPTIONS = ("--st-examples", "2")  # keep it quick
REPORT_FILES = ["certification.json", "index.html", "junit.xml", "summary.md"]
JWT_SHAPE = re.compile(r"eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}")


def _organizer_token(document: dict[str, Any]) -> str:
    """Fetch a real token for the organizer from the reference server's token endpoint."""
    defaults, token = document["token_defaults"], document["identities"]["organizer"]["token"]
    response = requests.post(
        defaults["token_url"],
        data={
            "grant_type": "password",
            "client_id": defaults["client_id"],
            "client_secret": defaults["client_secret"],
            "username": token["username"],
            "password": token["password"],
            "scope": token["scope"],
        },
        timeout=10,
    )
    response.raise_for_status()
    value: str = response.json()["access_token"]
    return value


def _secrets_of(document: dict[str, Any]) -> set[str]:
    """Every password and client secret in a target document."""
    found: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key in {"password", "client_secret", "value"} and isinstance(value, str):
                    found.add(value)
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(document)
    return found


@dataclass
class CertificationRun:
    """One suite run: its exit code, its run directory, the target's secrets and the output tail."""

    exit_code: int
    run_dir: Path
    secrets: set[str]
    output: str

    def assert_ended(self, exit_code: int) -> None:
        """The run ended with `exit_code` and wrote the four reports."""
        assert self.exit_code == exit_code, self.output
        assert sorted(path.name for path in self.run_dir.iterdir() if path.is_file()) == REPORT_FILES

    def certification(self) -> dict[str, Any]:
        """The run's certification.json."""
        text = (self.run_dir / "certification.json").read_text(encoding="utf-8")
        document: dict[str, Any] = json.loads(text)
        return document


def _prepare(
    tmp: Path, server: ReferenceServer, literal_organizer: bool, workers: int
) -> tuple[list[str], set[str]]:
    """Write the target and product files; return the suite command and the target's secrets."""
    document = server.target_document()
    if literal_organizer:  # a known token value, to look for in the reports afterwards
        document["identities"]["organizer"]["token"] = {
            "kind": "literal",
            "value": _organizer_token(document),
        }
    target_file = tmp / "target.yaml"
    target_file.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    (tmp / "product.yaml").write_text(PRODUCT_YAML, encoding="utf-8")
    command = cases_command(
        "-q",
        f"--rootdir={REPO_ROOT}",
        f"--target={target_file}",
        f"--reports-dir={tmp / 'reports'}",
        "--certify",
        f"--product={tmp / 'product.yaml'}",
        *ST_OPTIONS,
    )
    if workers:
        command += ["-n", str(workers)]
    return command, _secrets_of(document)


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, CertificationRun]:
    """Two certification runs at once: the faithful server (xdist, literal token) and `attendee-allowed`."""
    plans = {"clean": ((), True, 2), "faulty": (("attendee-allowed",), False, 0)}
    results: dict[str, CertificationRun] = {}
    with ExitStack() as stack:
        started: dict[str, tuple[subprocess.Popen[str], Path, set[str]]] = {}
        for name, (faults, literal_organizer, workers) in plans.items():
            tmp = tmp_path_factory.mktemp(name)
            server = stack.enter_context(ReferenceServer(faults=faults))
            command, secrets = _prepare(tmp, server, literal_organizer, workers)
            process = subprocess.Popen(
                command, cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
            )
            stack.callback(process.kill)
            started[name] = (process, tmp, secrets)
        for name, (process, tmp, secrets) in started.items():
            output, _ = process.communicate(timeout=SUITE_TIMEOUT_S)
            results[name] = CertificationRun(
                process.returncode, (tmp / "reports" / "latest").resolve(), secrets, output[-3000:]
            )
    return results


def test_clean_certification_under_xdist_passes_and_its_bundle_verifies(
    runs: dict[str, CertificationRun],
) -> None:
    clean = runs["clean"]
    clean.assert_ended(0)
    assert verify_bundle(clean.run_dir / "bundle") == []
    document = clean.certification()
    assert document["result"]["certified"] is True and document["summary"]["doc"]["fail"] == 0
    assert document["summary"]["cases"] > 0 and document["digests"]["openapi"]["sha256"]
    workers = {case["worker"] for entry in document["requirements"] for case in entry["cases"]}
    assert workers == {"gw0", "gw1"}, "the controller should have gathered both workers' cases"
    assert len([path for path in clean.run_dir.parent.iterdir() if not path.is_symlink()]) == 1


def test_no_token_or_secret_of_the_target_reaches_the_reports(runs: dict[str, CertificationRun]) -> None:
    run_dir, secrets = runs["clean"].run_dir, runs["clean"].secrets
    assert len(secrets) >= 3  # the literal token, passwords, the client secret
    files = [path for path in run_dir.rglob("*") if path.is_file()]
    for path in files:
        text = path.read_text(encoding="utf-8")
        leaked = [secret[:6] + "..." for secret in secrets if secret in text]
        assert not leaked, f"{path.relative_to(run_dir)} holds target secrets {leaked}"
        assert not JWT_SHAPE.search(text), f"{path.relative_to(run_dir)} holds a JWT-shaped string"


def test_hand_edited_clean_bundle_is_caught(runs: dict[str, CertificationRun], tmp_path: Path) -> None:
    run_dir = runs["clean"].run_dir
    copy = tmp_path / "bundle"
    shutil.copytree(run_dir / "bundle", copy)
    junit = copy / "junit.xml"
    junit.write_text(
        junit.read_text(encoding="utf-8").replace("CANCEL-202-EMPTY", "CANCEL-202-EMPTIED"), encoding="utf-8"
    )
    assert verify_bundle(copy) == ["junit.xml was altered: its SHA-256 does not match MANIFEST.sha256"]


def test_faulty_certification_fails_with_all_four_reports_and_an_invalid_bundle(
    runs: dict[str, CertificationRun],
) -> None:
    faulty = runs["faulty"]
    faulty.assert_ended(1)
    verdicts = verdicts_of(faulty.certification())
    assert verdicts["CANCEL-ATTENDEE-400"] == "fail" and verdicts["CANCEL-202-EMPTY"] == "pass"
    problems = verify_bundle(faulty.run_dir / "bundle")
    assert "doc requirement CANCEL-ATTENDEE-400 is fail" in problems
