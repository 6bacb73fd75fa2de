"""A user's mistake is never a verdict: each gives exit 2 and one `graph-conformance:` line, before any case.

Child runs of `pytest --pyargs conformance.cases`, with `--target` and with `--base-url`, against a reference
server (and a plain HTTP server that is not Graph); they run four at a time, each stops in about a second
after the plugin loads.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest
import yaml

from conformance.reference.serve import ReferenceServer
from conformance.target.config import load_target_file
from conformance.target.tokens import TokenProvider
from tests._inner_run import PYTHON, cases_command, run_child
from tests._serving import serving

WRONG_PASSWORD = "Wrong-Passw0rd-7731"
WRONG_SECRET = "wrong-client-secret-5519"
WRONG_TOKEN = "wrong-literal-token-2208"
WRONG_USER = "00000000-0000-0000-0000-00000000beef"


@dataclass
class Mistake:
    """One misconfiguration: how to make it, and what its one line must say."""

    name: str
    expects: list[str]  # fragments of the one line
    document: dict[str, Any] | None = None  # a target file (--target), or None for --base-url alone
    args: list[str] = field(default_factory=list)
    environ: dict[str, str] = field(default_factory=dict)
    secrets: tuple[str, ...] = ()  # must not be printed
    command: str = "run"  # or "preflight": `graph-conformance preflight` says the same line


@pytest.fixture(scope="module")
def server() -> Iterator[ReferenceServer]:
    with ReferenceServer() as reference:
        yield reference


@pytest.fixture(scope="module")
def not_graph(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A plain HTTP server (directory listings, HTML 404s): not a Graph API."""
    root = tmp_path_factory.mktemp("www")

    class Listing(SimpleHTTPRequestHandler):
        def __init__(self, *args: Any) -> None:
            super().__init__(*args, directory=str(root))

    with serving(Listing) as url:
        yield url


def mistakes(server: ReferenceServer, not_graph: str, tmp_path: Path) -> list[Mistake]:
    """Every mistake of the issue, with --target and with --base-url."""
    good = server.target_document()
    base = server.base_url
    target_file = tmp_path / "good.yaml"
    target_file.write_text(yaml.safe_dump(good), encoding="utf-8")
    organizer = load_target_file(target_file, environ={}).identities["organizer"].token
    assert organizer is not None
    token = TokenProvider("organizer", organizer).token()

    def edited(change: Any) -> dict[str, Any]:
        document = copy.deepcopy(good)
        change(document)
        return document

    def password(document: dict[str, Any]) -> None:
        document["identities"]["organizer"]["token"]["password"] = WRONG_PASSWORD

    def secret(document: dict[str, Any]) -> None:
        document["token_defaults"]["client_secret"] = WRONG_SECRET
        document["identities"]["application"]["token"]["client_secret"] = WRONG_SECRET

    def literal(document: dict[str, Any]) -> None:
        document["identities"]["attendees"][0]["token"] = {"kind": "literal", "value": WRONG_TOKEN}

    def user(document: dict[str, Any]) -> None:
        document["identities"]["organizer"]["user_id"] = WRONG_USER

    def action(document: dict[str, Any]) -> None:
        document["actions"] = ["cancel", "frobnicate"]

    def token_url(host: str) -> Any:
        def change(document: dict[str, Any]) -> None:
            url = document["token_defaults"]["token_url"]
            document["token_defaults"]["token_url"] = host + "/" + url.split("://", 1)[1].split("/", 1)[1]
        return change

    bare = base.split("://", 1)[1]
    root = base.removesuffix("/v1.0")
    env = {"GRAPH_CONFORMANCE_TOKEN_ORGANIZER": token}
    return [
        Mistake("target-password", ["identity 'organizer', getting its token", "fix the target file",
                                     "username or password"], edited(password), secrets=(WRONG_PASSWORD,)),
        Mistake("target-secret", ["identity 'organizer', getting its token", "client_secret"],
                edited(secret), secrets=(WRONG_SECRET,)),
        Mistake("target-token", ["identity 'attendee', GET /me with its token: HTTP 401",
                                 "identities.attendees[0].token"], edited(literal), secrets=(WRONG_TOKEN,)),
        Mistake("target-user-id", ["identity 'organizer', GET /me", f"user_id {WRONG_USER}"], edited(user)),
        Mistake("target-unknown-action", ["actions in", "'frobnicate' is not an action of the catalog"],
                edited(action)),
        Mistake("option-unknown-action", ["--actions: 'frobnicate' is not an action of the catalog",
                                          "use some of cancel"], good, ["--actions", "cancel,frobnicate"]),
        Mistake("option-no-action", ["--actions: names no action"], good, ["--actions", ","]),
        *(Mistake(f"target-token-url-{name}{'-base-url' if args else ''}",
                  ["identity 'organizer', getting its token", f"the token endpoint does not answer ({why})",
                   "fix the target file: the token_url of"], edited(token_url(host)), args)
          for name, host, why in (("port", "http://127.0.0.1:9", "connection refused"),
                                  ("host", "http://no-such-host.invalid", "its host name does not resolve"))
          for args in ([], ["--base-url", base])),
        *(Mistake(f"preflight-token-url-{name}", [f"the token endpoint does not answer ({why})",
                                                   "fix the target file: the token_url of"],
                  edited(token_url(host)), command="preflight")
          for name, host, why in (("port", "http://127.0.0.1:9", "connection refused"),
                                  ("host", "http://no-such-host.invalid", "its host name does not resolve"))),
        Mistake("target-no-scheme", ["base URL", "no http:// or https:// scheme"], good,
                ["--base-url", bare]),
        Mistake("target-no-version", ["base URL", "does not end with the API version"], good,
                ["--base-url", root]),
        Mistake("target-not-graph", ["does not look like a Microsoft Graph API"], good,
                ["--base-url", f"{not_graph}/v1.0"]),
        Mistake("target-password-base-url", ["identity 'organizer', getting its token"], edited(password),
                ["--base-url", base], secrets=(WRONG_PASSWORD,)),
        Mistake("target-user-id-base-url", [f"user_id {WRONG_USER}"], edited(user), ["--base-url", base]),
        Mistake("base-url-token", ["identity 'organizer', GET /me with its token: HTTP 401",
                                   "$GRAPH_CONFORMANCE_TOKEN_ORGANIZER"],
                None, ["--base-url", base], {"GRAPH_CONFORMANCE_TOKEN_ORGANIZER": WRONG_TOKEN},
                (WRONG_TOKEN,)),
        Mistake("base-url-no-scheme", ["no http:// or https:// scheme"], None, ["--base-url", bare], env),
        Mistake("base-url-no-version", ["does not end with the API version"], None,
                ["--base-url", root], env),
        Mistake("base-url-not-graph", ["not look like a Microsoft Graph API"], None,
                ["--base-url", f"{not_graph}/v1.0"], env),
        Mistake("base-url-not-graph-no-token", ["not look like a Microsoft Graph API"], None,
                ["--base-url", f"{not_graph}/v1.0"]),
    ]


def run_mistake(mistake: Mistake, tmp_path: Path) -> list[str]:
    """Run the suite with this mistake; the problems seen (empty: exit 2, one line, no verdict, no secret)."""
    folder = tmp_path / mistake.name
    folder.mkdir()
    args = list(mistake.args)
    if mistake.document is not None:
        target_file = folder / "target.yaml"
        target_file.write_text(yaml.safe_dump(mistake.document), encoding="utf-8")
        args = ["--target", str(target_file), *args]
    if mistake.command == "preflight":
        command = [PYTHON, "-m", "conformance.cli", "preflight", *args]
        start = "graph-conformance preflight: "
    else:
        command = cases_command("-vv", "-l", "--reports-dir", str(folder / "reports"), *args)
        start = "graph-conformance: "
    completed = run_child(command, folder, extra_environ=mistake.environ, timeout_s=120)
    output = completed.stdout + completed.stderr
    lines = [line for line in output.splitlines() if line.strip()]
    problems = []
    if completed.returncode != 2:
        problems.append(f"exit {completed.returncode}")
    if len(lines) != 1 or not lines[0].startswith(start):
        problems.append(f"{len(lines)} lines")
    problems += [f"missing {text!r}" for text in mistake.expects if text not in output]
    problems += [f"printed the secret {secret!r}" for secret in mistake.secrets if secret in output]
    if (folder / "reports").exists():
        problems.append("wrote reports (a verdict)")
    return [f"{mistake.name}: {problem}\n{output[-1500:]}" for problem in problems]


def test_each_mistake_is_exit_2_and_one_line_with_target_and_with_base_url(
    server: ReferenceServer, not_graph: str, tmp_path: Path
) -> None:
    cases = mistakes(server, not_graph, tmp_path)
    with ThreadPoolExecutor(max_workers=4) as pool:
        found = [problem for problems in pool.map(lambda m: run_mistake(m, tmp_path), cases)
                 for problem in problems]
    assert not found, "\n\n".join(found)
