"""`graph-conformance generate`: the committed files are fresh, valid, deterministic; --check and --source."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from openapi_spec_validator import validate

from conformance._paths import openapi_dir
from conformance.cli import main
from conformance.spec import generate
from conformance.spec.interfaces_doc import INTERFACES_DOC
from tests.spec._pages import PAGES_DIR

ERROR_REF = "#/components/schemas/microsoft.graph.ODataErrors.ODataError"


@pytest.fixture(scope="module")
def committed_description() -> dict[str, Any]:
    document = yaml.safe_load((openapi_dir() / "event-cancel.yaml").read_text(encoding="utf-8"))
    assert isinstance(document, dict)
    return document


def test_committed_files_equal_a_fresh_generation() -> None:
    outputs = generate.action_outputs()
    for output in outputs:
        committed = (openapi_dir() / output.overlay.description_file).read_text(encoding="utf-8")
        assert committed == output.description, output.overlay.description_file
    catalog = generate.catalog_text(outputs)
    assert (openapi_dir() / "requirements.yaml").read_text(encoding="utf-8") == catalog


def test_the_cancel_page_alone_generates_its_committed_description() -> None:
    """`--source` on cancel's page gives the committed description (its overlay and the common entries)."""
    description, catalog = generate.generate_texts(
        openapi_dir() / generate.SOURCE_PAGE, f"openapi/{generate.SOURCE_PAGE}"
    )
    assert (openapi_dir() / "event-cancel.yaml").read_text(encoding="utf-8") == description
    assert catalog is not None and "action: cancel" in catalog and "action: accept" not in catalog


def test_generate_check_passes_on_the_repo(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["generate", "--check"]) == 0
    assert "up to date" in capsys.readouterr().out


def test_generation_is_deterministic() -> None:
    page = openapi_dir() / generate.SOURCE_PAGE
    assert generate.generate_texts(page, "p.md") == generate.generate_texts(page, "p.md")


def test_committed_description_is_valid_openapi_3_1(committed_description: dict[str, Any]) -> None:
    validate(committed_description)
    assert committed_description["openapi"] == "3.1.0"
    assert committed_description["servers"] == [{"url": "https://graph.microsoft.com/v1.0"}]
    assert "&id" not in (openapi_dir() / "event-cancel.yaml").read_text(encoding="utf-8")


def test_twelve_post_paths_each_202_without_content_and_calendars_readwrite(
    committed_description: dict[str, Any],
) -> None:
    paths = committed_description["paths"]
    assert len(paths) == 12
    for path, item in paths.items():
        assert set(item) == {"description", "parameters", "post"}, path
        operation = item["post"]
        assert "content" not in operation["responses"]["202"]
        assert "Calendars.ReadWrite" in operation["security"][0]["azureaadv2"]
        assert operation["requestBody"]["required"] is False
        assert (
            operation["responses"]["4XX"]
            == operation["responses"]["5XX"]
            == {"$ref": "#/components/responses/error"}
        )
        assert operation["responses"]["400"]["content"]["application/json"]["schema"] == {"$ref": ERROR_REF}
        assert (
            "You need to be an organizer to cancel a meeting." in operation["responses"]["400"]["description"]
        )
        route_ids = [i for i in operation["x-requirements"] if i.startswith("CANCEL-ROUTE-")]
        assert len(route_ids) == 1 and "CANCEL-202-EMPTY" in operation["x-requirements"]


def test_graph_names_parameters_and_tags(committed_description: dict[str, Any]) -> None:
    paths = committed_description["paths"]
    me_events = paths["/me/events/{event-id}/cancel"]["post"]
    assert (me_events["operationId"], me_events["tags"]) == ("me.events.event.cancel", ["me.event"])
    deepest = paths[
        "/users/{user-id}/calendargroups/{calendarGroup-id}/calendars/{calendar-id}/events/{event-id}/cancel"
    ]
    assert [p["name"] for p in deepest["parameters"]] == [
        "user-id",
        "calendarGroup-id",
        "calendar-id",
        "event-id",
    ]
    assert "userPrincipalName" in deepest["parameters"][0]["description"]
    assert deepest["post"]["tags"] == ["users.calendarGroup"]
    event_id = deepest["parameters"][3]["schema"]
    assert event_id["minLength"] >= 16 and event_id["pattern"].startswith("^")
    operation_ids = [item["post"]["operationId"] for item in paths.values()]
    assert len(set(operation_ids)) == 12
    groups = paths["/groups/{group-id}/events/{event-id}/cancel"]["post"]["x-requirements"]
    assert "CANCEL-PERM-APPLICATION-GROUPS" in groups and "CANCEL-PERM-APPLICATION" not in groups
    assert "GRAPH-400-ME-APP-TOKEN" in me_events["x-requirements"] and "GRAPH-400-ME-APP-TOKEN" not in groups


def test_body_schema_is_strict_nullable_and_takes_both_spellings(
    committed_description: dict[str, Any],
) -> None:
    body = committed_description["components"]["schemas"]["cancelRequestBody"]
    assert body["additionalProperties"] is False
    assert body["properties"]["comment"]["type"] == ["string", "null"]
    assert body["properties"]["Comment"]["type"] == ["string", "null"]
    media = committed_description["paths"]["/me/events/{event-id}/cancel"]["post"]["requestBody"]["content"]
    examples = media["application/json"]["examples"]
    assert examples["page"]["value"] == {"Comment": "Cancelling for this week due to all hands"}
    assert "example" not in media["application/json"]
    error = committed_description["components"]["schemas"]["microsoft.graph.ODataErrors.InnerError"]
    assert set(error["properties"]) == {"date", "request-id", "client-request-id"}
    assert "format" not in error["properties"]["date"]  # Graph sends "2021-03-24T10:05:31", not RFC 3339


def test_permissions_are_oauth2_scopes_with_account_types(committed_description: dict[str, Any]) -> None:
    scheme = committed_description["components"]["securitySchemes"]["azureaadv2"]
    assert scheme["type"] == "oauth2"
    assert list(scheme["flows"]["authorizationCode"]["scopes"]) == ["Calendars.ReadWrite"]
    assert list(scheme["flows"]["clientCredentials"]["scopes"]) == ["Calendars.ReadWrite"]
    assert [row["kind"] for row in scheme["x-ms-permissions"]] == [
        "delegated-work",
        "delegated-personal",
        "application",
    ]


def test_comment_examples_are_non_ascii_long_and_multi_line(committed_description: dict[str, Any]) -> None:
    """CANCEL-COMMENT-STRING's comments are named examples of every operation, inline (no `$ref`)."""
    for path_item in committed_description["paths"].values():
        examples = path_item["post"]["requestBody"]["content"]["application/json"]["examples"]
        assert list(examples) == ["page", "non-ascii-comment", "long-comment", "multi-line-comment"]
        comments = {label: example["value"]["comment"] for label, example in list(examples.items())[1:]}
        assert not comments["non-ascii-comment"].isascii()
        assert len(comments["long-comment"]) == 8000
        assert "\n" in comments["multi-line-comment"]


def test_bearer_scheme_is_an_alternative_to_oauth2(committed_description: dict[str, Any]) -> None:
    """An HTTP bearer scheme (what tools probe for ignored auth) sits beside oauth2 on every operation."""
    bearer = committed_description["components"]["securitySchemes"]["graphBearer"]
    assert (bearer["type"], bearer["scheme"]) == ("http", "bearer")
    for path_item in committed_description["paths"].values():
        security = path_item["post"]["security"]
        assert security == [{"azureaadv2": ["Calendars.ReadWrite"]}, {"graphBearer": []}]


def test_check_fails_with_a_diff_when_the_description_is_stale(
    scratch_openapi: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stale = scratch_openapi / "event-cancel.yaml"
    stale.write_text(stale.read_text(encoding="utf-8").replace("'202':", "'204':"), encoding="utf-8")
    assert generate.run_generate(check=True, source=None, out=None) == 1
    diff = capsys.readouterr().out
    assert "--- openapi/event-cancel.yaml (committed)" in diff and "+        '202':" in diff
    assert generate.run_generate(check=False, source=None, out=None) == 0
    assert generate.run_generate(check=True, source=None, out=None) == 0


def test_a_changed_page_changes_the_catalog(scratch_openapi: Path) -> None:
    page = scratch_openapi / generate.SOURCE_PAGE
    page.write_text(
        page.read_text(encoding="utf-8").replace(
            "The action moves the event to the Deleted Items folder.",
            "The action moves the cancelled event to the Deleted Items folder.",
        ),
        encoding="utf-8",
    )
    assert generate.run_generate(check=True, source=None, out=None) == 1
    generate.run_generate(check=False, source=None, out=None)
    assert (scratch_openapi.parent / INTERFACES_DOC).is_file()
    catalog = yaml.safe_load((scratch_openapi / "requirements.yaml").read_text(encoding="utf-8"))
    sentences = {row["id"]: row["sentence"] for row in catalog["requirements"]}
    assert (
        sentences["CANCEL-DELETED-ITEMS"]
        == "The action moves the cancelled event to the Deleted Items folder."
    )


def test_source_page_of_another_action_gets_its_own_paths(tmp_path: Path) -> None:
    out = tmp_path / "forward.yaml"
    assert main(["generate", "--source", str(PAGES_DIR / "event-forward.en.md"), "--out", str(out)]) == 0
    document = yaml.safe_load(out.read_text(encoding="utf-8"))
    validate(document)
    assert list(document["paths"]) == [
        "/me/events/{event-id}/forward",
        "/users/{user-id}/events/{event-id}/forward",
        "/groups/{group-id}/events/{event-id}/forward",
    ]
    operation = document["paths"]["/me/events/{event-id}/forward"]["post"]
    assert operation["operationId"] == "me.events.event.forward"
    assert operation["x-requirements"] == ["FORWARD-ROUTE-ME-EVENTS"]
    assert operation["requestBody"]["required"] is True
    assert [p["name"] for p in operation["parameters"]] == ["Prefer"]
    body = document["components"]["schemas"]["forwardRequestBody"]
    assert body["required"] == ["ToRecipients"]
    assert body["properties"]["ToRecipients"]["type"] == "array"
    assert body["properties"]["SaveToSentItems"]["type"] == ["boolean", "null"]
    assert "microsoft.graph.itemBody" in document["components"]["schemas"]
    assert (
        main(["generate", "--check", "--source", str(PAGES_DIR / "event-forward.en.md"), "--out", str(out)])
        == 0
    )


@pytest.mark.parametrize("page_name", ["event-dismissreminder.de-DE.md", "event-get.fr-FR.md"])
def test_pages_without_body_generate_valid_descriptions(tmp_path: Path, page_name: str) -> None:
    out = tmp_path / "out.yaml"
    assert main(["generate", "--source", str(PAGES_DIR / page_name), "--out", str(out)]) == 0
    document = yaml.safe_load(out.read_text(encoding="utf-8"))
    validate(document)
    for item in document["paths"].values():
        operation = item.get("post") or item["get"]
        assert "requestBody" not in operation
    if page_name == "event-get.fr-FR.md":
        ok = document["paths"]["/me/events/{event-id}"]["get"]["responses"]["200"]
        assert ok["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/microsoft.graph.event"
        }


def test_check_fails_when_the_interfaces_tables_are_stale(
    scratch_openapi: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    interfaces = scratch_openapi.parent / INTERFACES_DOC
    row = "| CANCEL-202-EMPTY | core |"
    interfaces.write_text(interfaces.read_text(encoding="utf-8").replace(row, row + " x |"), encoding="utf-8")
    assert generate.run_generate(check=True, source=None, out=None) == 1
    assert f"--- {INTERFACES_DOC} (committed)" in capsys.readouterr().out
    assert generate.run_generate(check=False, source=None, out=None) == 0
    assert row + " x |" not in interfaces.read_text(encoding="utf-8")
