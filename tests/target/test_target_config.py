"""Target files: validation errors naming the key, env overrides, and the safe-by-default refusal."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from conformance.errors import TargetConfigError, TargetUnreachable
from conformance.target.config import load_target_file, target_from_document
from conformance.target.resolve import resolve_target
from conformance.target.safety import check_safe_to_run

PASSWORD_TOKEN = {
    "username": "adele@contoso.test",
    "password": "pw-adele-123",
    "scope": "Calendars.ReadWrite",
}
DOCUMENT: dict[str, Any] = {
    "name": "unit target",
    "base_url": "http://127.0.0.1:9/v1.0",
    "token_defaults": {
        "kind": "password",
        "token_url": "http://127.0.0.1:9/t/oauth2/v2.0/token",
        "client_id": "client-1",
        "client_secret": "secret-abc-123",
    },
    "identities": {
        "organizer": {"user_id": "u-1", "user_principal_name": "adele@contoso.test", "token": PASSWORD_TOKEN},
        "attendees": [
            {
                "user_id": "u-2",
                "user_principal_name": "alex@contoso.test",
                "token": {**PASSWORD_TOKEN, "username": "alex@contoso.test"},
            }
        ],
        "application": {
            "token": {"kind": "client_credentials", "scope": "https://graph.microsoft.com/.default"},
            "user_ids": ["u-1"],
        },
        "group": {"group_id": "g-1"},
    },
}


def document(**changes: Any) -> dict[str, Any]:
    """A copy of DOCUMENT with top-level keys replaced."""
    return {**copy.deepcopy(DOCUMENT), **changes}


def resolve(raw: Any, environ: dict[str, str] | None = None, base_url: str | None = None):  # type: ignore[no-untyped-def]
    return target_from_document(raw, source="target.yaml", environ=environ or {}, base_url=base_url)


def test_valid_document_resolves_roles_tokens_and_defaults() -> None:
    target = resolve(document())
    assert target.base_url == "http://127.0.0.1:9/v1.0"
    assert sorted(target.identities) == ["application", "attendee", "group", "organizer"]
    assert target.attendee_roles == ("attendee",)
    assert target.identities["organizer"].token is not None
    assert target.identities["organizer"].token.fields["client_secret"] == "secret-abc-123"  # merged default
    assert target.identities["application"].user_ids == ("u-1",)
    assert target.max_concurrency_per_mailbox == 4
    assert {"secret-abc-123", "pw-adele-123"} <= target.secrets()


def test_bad_token_kind_names_the_key_and_the_allowed_values() -> None:
    raw = document()
    raw["identities"]["attendees"][0]["token"]["kind"] = "pasword"
    with pytest.raises(TargetConfigError) as raised:
        resolve(raw)
    message = str(raised.value)
    assert "identities.attendees[0].token.kind: 'pasword' is not one of" in message
    assert "'password'" in message and "target.yaml" in message


def test_missing_base_url_is_named() -> None:
    raw = document()
    del raw["base_url"]
    with pytest.raises(TargetConfigError, match=r"'base_url' is a required property"):
        resolve(raw)


def test_unknown_key_is_named_with_the_allowed_keys() -> None:
    raw = document()
    raw["identities"]["organizer"]["tokn"] = {}
    with pytest.raises(TargetConfigError) as raised:
        resolve(raw)
    assert "identities.organizer: unknown key(s) 'tokn'" in str(raised.value)
    assert "allowed keys:" in str(raised.value)


def test_token_kind_without_its_fields_names_the_missing_field() -> None:
    raw = document(token_defaults={"kind": "password", "client_id": "c"})
    with pytest.raises(TargetConfigError, match=r"identities.organizer.token.token_url is required"):
        resolve(raw)


def test_unreadable_and_non_yaml_files_are_clear(tmp_path: Path) -> None:
    with pytest.raises(TargetConfigError, match=r"cannot be read"):
        load_target_file(tmp_path / "missing.yaml", environ={})
    broken = tmp_path / "broken.yaml"
    broken.write_text("base_url: [unclosed\n", encoding="utf-8")
    with pytest.raises(TargetConfigError, match=r"not valid YAML: .*\(line 2, column 1\)$") as raised:
        load_target_file(broken, environ={})
    assert "\n" not in str(raised.value)  # one line, whatever the YAML parser's own message looks like
    not_utf8 = tmp_path / "latin1.yaml"
    not_utf8.write_bytes("name: Café\n".encode("latin-1"))
    with pytest.raises(TargetConfigError, match=r"is not UTF-8 text \(byte 9\)"):
        load_target_file(not_utf8, environ={})


def test_env_overrides_base_url_and_token_and_profiles() -> None:
    environ = {
        "GRAPH_CONFORMANCE_BASE_URL": "http://localhost:1234/beta",
        "GRAPH_CONFORMANCE_TOKEN_ORGANIZER": "literal-organizer-token",
        "GRAPH_CONFORMANCE_UNSUPPORTED_PROFILES": "groups, routes-legacy",
    }
    target = resolve(document(), environ)
    assert target.base_url == "http://localhost:1234/beta"
    organizer_token = target.identities["organizer"].token
    assert organizer_token is not None and organizer_token.kind == "literal"
    assert organizer_token.fields["value"] == "literal-organizer-token"
    assert target.unsupported_profiles == {"groups", "routes-legacy"}
    assert "literal-organizer-token" in target.secrets()


def test_cli_base_url_beats_env_beats_file() -> None:
    environ = {"GRAPH_CONFORMANCE_BASE_URL": "http://localhost:1234/v1.0"}
    assert (
        resolve(document(), environ, base_url="http://127.0.0.2:5/v1.0").base_url == "http://127.0.0.2:5/v1.0"
    )
    assert resolve(document(), environ).base_url == "http://localhost:1234/v1.0"


def test_env_token_kinds_resolve_their_variables_and_name_a_missing_one() -> None:
    raw = document()
    raw["identities"]["organizer"]["token"] = {"kind": "env", "var": "ORGANIZER_TOKEN"}
    raw["identities"]["attendees"][0]["token"] = {
        **PASSWORD_TOKEN,
        "password": None,
        "password_env": "ALEX_PW",
    }
    del raw["identities"]["attendees"][0]["token"]["password"]
    target = resolve(raw, {"ORGANIZER_TOKEN": "tok-from-env", "ALEX_PW": "alex-pw-from-env"})
    organizer_token = target.identities["organizer"].token
    attendee_token = target.identities["attendee"].token
    assert organizer_token is not None and organizer_token.fields["value"] == "tok-from-env"
    assert attendee_token is not None and attendee_token.fields["password"] == "alex-pw-from-env"
    with pytest.raises(TargetConfigError, match=r"identities.organizer.token.var names \$ORGANIZER_TOKEN"):
        resolve(raw, {"ALEX_PW": "x"})


def test_unknown_profile_in_env_is_refused() -> None:
    with pytest.raises(TargetConfigError, match=r"'grups' is not one of"):
        resolve(document(), {"GRAPH_CONFORMANCE_UNSUPPORTED_PROFILES": "grups"})


def test_remote_target_without_attendees_is_refused() -> None:
    raw = document(base_url="https://graph.example.com/v1.0")
    del raw["identities"]["attendees"]
    with pytest.raises(TargetConfigError, match=r"refusing to run against https://graph.example.com/v1.0"):
        check_safe_to_run(resolve(raw))
    check_safe_to_run(resolve(document(base_url="https://graph.example.com/v1.0")))  # attendees named: fine
    loopback = document()
    del loopback["identities"]["attendees"]
    check_safe_to_run(resolve(loopback))  # loopback: fine


def test_resolve_target_uses_env_file_and_refuses_base_url_alone_without_identities(tmp_path: Path) -> None:
    target_file = tmp_path / "target.yaml"
    target_file.write_text(yaml.safe_dump(document()), encoding="utf-8")
    assert resolve_target(target_file=None, base_url=None, environ={}) is None
    found = resolve_target(
        target_file=None, base_url=None, environ={"GRAPH_CONFORMANCE_TARGET": str(target_file)}
    )
    assert found is not None and found.name == "unit target"
    with pytest.raises(TargetConfigError, match=r"without a target file.*GRAPH_CONFORMANCE_TOKEN_ORGANIZER"):
        resolve_target(target_file=None, base_url="https://graph.example.com/v1.0", environ={})
    with pytest.raises(TargetUnreachable):  # loopback: asks the server to describe itself, nobody answers
        resolve_target(target_file=None, base_url="http://127.0.0.1:9/v1.0", environ={})
