"""No secret anywhere: the suite at `-vv -l` with wrong and with refused credentials prints none, writes none.

Every byte of the child's output and of every file it wrote (reports, JUnit) is searched for the password
and the client secret: first for wrong ones (the run stops before any case), then for right ones that the
token endpoint stops granting once the configuration check is done, so that every case meets a token error
mid-run, with pytest printing each frame's locals (`-l`).
"""

from __future__ import annotations

import http.client
import json
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import yaml

from conformance.reference.serve import ReferenceServer
from tests._inner_run import cases_command, run_child
from tests._serving import serving

WRONG_PASSWORD = "Wrong-Passw0rd-4471"
WRONG_SECRET = "wrong-client-secret-9034"
SELECTION = "routes_accepts_the_organizers or test_no_server_error or test_application_token_cancels_on_users"


@contextmanager
def token_proxy(upstream: str) -> Iterator[str]:
    """A token endpoint in front of `upstream` granting each (grant, user, scope) once, then refusing it.

    The refusal echoes the posted form in its error description, as a careless endpoint might.
    """
    granted: Counter[tuple[str, str, str]] = Counter()
    lock = threading.Lock()
    target = urlsplit(upstream)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            form = dict(parse_qsl(body.decode()))
            key = (form.get("grant_type", ""), form.get("username", ""), form.get("scope", ""))
            with lock:
                granted[key] += 1
                first = granted[key] == 1
            if first:
                connection = http.client.HTTPConnection(str(target.hostname), target.port, timeout=10)
                form_type = {"Content-Type": "application/x-www-form-urlencoded"}
                connection.request("POST", self.path, body, form_type)
                answer = connection.getresponse()
                status, payload = answer.status, answer.read()
                connection.close()
            else:
                status = 400
                payload = json.dumps({"error": "invalid_grant",
                                      "error_description": f"AADSTS50126: refused {body.decode()}"}).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

    with serving(Handler) as url:
        yield url


def leaks(folder: Path, output: str, secrets: tuple[str, ...]) -> list[str]:
    """Where any secret appears: the output, or a file under `folder` (the target file itself excepted)."""
    found = [f"output holds {secret!r}" for secret in secrets if secret in output]
    for path in folder.rglob("*"):
        if path.is_file() and path.name != "target.yaml":
            data = path.read_bytes()
            found += [f"{path} holds {secret!r}" for secret in secrets if secret.encode() in data]
    return found


def run_verbose(folder: Path, target_file: Path, *args: str) -> tuple[int, str]:
    """The suite at `-vv -l --tb=long` with JUnit and reports in `folder`."""
    command = cases_command("-vv", "-l", "--tb=long", "-rA", "--target", str(target_file),
                            "--reports-dir", str(folder / "reports"), "--junitxml", str(folder / "junit.xml"),
                            *args)
    completed = run_child(command, folder, timeout_s=240)
    return completed.returncode, completed.stdout + completed.stderr


def test_wrong_password_and_client_secret_are_never_printed_at_vv_l(tmp_path: Path) -> None:
    with ReferenceServer() as server:
        document = server.target_document()
        document["identities"]["organizer"]["token"]["password"] = WRONG_PASSWORD
        document["token_defaults"]["client_secret"] = WRONG_SECRET
        target_file = tmp_path / "target.yaml"
        target_file.write_text(yaml.safe_dump(document), encoding="utf-8")
        code, output = run_verbose(tmp_path, target_file)
    assert code == 2, output[-3000:]
    assert output.strip().startswith("graph-conformance: identity "), output[-3000:]
    assert not leaks(tmp_path, output, (WRONG_PASSWORD, WRONG_SECRET))


def test_credentials_refused_mid_run_are_never_printed_at_vv_l(tmp_path: Path) -> None:
    with ReferenceServer() as server, token_proxy(server.base_url.removesuffix("/v1.0")) as proxy:
        document = server.target_document()
        root = server.base_url.removesuffix("/v1.0")
        for token in [document["token_defaults"], *_token_specs(document["identities"])]:
            if "token_url" in token:
                token["token_url"] = token["token_url"].replace(root, proxy)
        password = document["identities"]["organizer"]["token"]["password"]
        secret = document["token_defaults"]["client_secret"]
        target_file = tmp_path / "target.yaml"
        target_file.write_text(yaml.safe_dump(document), encoding="utf-8")
        # cancel's routes show every kind of request meeting the refusal; the other actions' would only
        # repeat them (seven actions' worth ran past the child's timeout)
        code, output = run_verbose(tmp_path, target_file, "-k", SELECTION, "--actions", "cancel")
    assert "AADSTS50126" in output, output[-3000:]  # the cases did meet the refusal
    assert code == 0, output[-3000:]  # the refusals came mid-run, and a refused token fails no requirement
    assert not leaks(tmp_path, output, (password, secret))


def _token_specs(identities: dict[str, Any]) -> list[dict[str, Any]]:
    """Every identity's token settings in a target document."""
    found = [identity["token"] for name, identity in identities.items()
             if isinstance(identity, dict) and "token" in identity]
    return found + [attendee["token"] for attendee in identities.get("attendees", [])]
