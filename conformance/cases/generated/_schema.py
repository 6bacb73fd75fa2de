"""The actions' OpenAPI descriptions (openapi/event-<action>.yaml) loaded for Schemathesis as one document,
its configuration built in code (no toml discovery).

Why in code and not `schemathesis.Config.from_path(<repo>/schemathesis.toml)`: the repo's toml is for the CLI,
which cannot provision ids and therefore accepts 404 for valid data; the suite uses real ids and must not.
Building the config here also makes the run independent of the working directory (a stray user
schemathesis.toml is never read) and of how the package is installed (the toml is not in the wheel).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import schemathesis
import yaml
from schemathesis.specs.openapi.schemas import OpenApiSchema

from conformance import _paths
from conformance._paths import DESCRIPTION_FILE, openapi_dir
from conformance._yaml import safe_load
from conformance.cases.generated._actions import body_members
from conformance.errors import SpecParseError

# Methods probed on each cancel path besides POST. TRACE and QUERY are left out on purpose: what real Graph
# answers to them is unknown, and the suite must not fail a server for a behaviour Graph may share.
OTHER_METHODS = ("get", "put", "patch", "delete")
# Path parameters are pinned to placeholders that match the description's patterns: each case gets the
# target's real ids before it is sent, so drawing ids from the patterns would only cost time (it was half
# of the generation time). Malformed ids are the hand-written cases' job (GRAPH-400-MALFORMED-ID).
PLACEHOLDER_IDS = {
    "path.user-id": "00000000-0000-0000-0000-000000000000",
    "path.group-id": "00000000-0000-0000-0000-000000000000",
    "path.calendar-id": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    "path.calendarGroup-id": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    "path.event-id": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
}
PLACEHOLDER_PATH_VALUES = {key.removeprefix("path."): value for key, value in PLACEHOLDER_IDS.items()}
COMMENT_DICTIONARY = "graph-comments"
# Comment strings the page allows and servers trip over; fuzzing draws from them besides random text,
# because Hypothesis alone rarely produces a string of several thousand characters. (The description's
# named examples, sent by the examples and coverage phases, hold a non-ASCII, a long and a multi-line one.)
COMMENT_VALUES = (
    "Отмена: перенесём на следующую неделю",
    "会议取消 — 下周见 🎉",
    "line one\nline two\r\n\ttabbed",
    "x" * 8000,
    "é" * 1500,
    "",
)


@dataclass(frozen=True)
class GenerationPlan:
    """What one Schemathesis test function generates: modes, phases, fuzzing examples and the seed."""

    mode: str  # positive | negative | all
    phases: tuple[str, ...]
    max_examples: int
    seed: int


def description_path() -> Path:
    """The generated OpenAPI description of the cancel action."""
    return openapi_dir() / DESCRIPTION_FILE


def description_files() -> list[Path]:
    """Every action's description, in the catalog's action order (cancel's first)."""
    return _paths.description_files()


def read_description(path: Path | None = None) -> dict[str, Any]:
    """One description as a mapping (`path`), or every action's merged into one (no `path`).

    SpecParseError names the file when one is missing or broken.
    """
    if path is not None:
        return _read_one(path)
    documents = [_read_one(file) for file in description_files()]
    if not documents:
        raise SpecParseError("no OpenAPI description of an action; run `graph-conformance generate`",
                             file=str(openapi_dir()))
    return merge_descriptions(documents)


def merge_descriptions(documents: list[dict[str, Any]]) -> dict[str, Any]:
    """The descriptions as one: every path, the components of all (a name twice: its mappings merged)."""
    merged = dict(documents[0])
    merged["paths"] = {path: item for document in documents for path, item in document["paths"].items()}
    components: dict[str, Any] = {}
    for document in documents:
        for section, items in (document.get("components") or {}).items():
            target = components.setdefault(section, {})
            for name, value in (items or {}).items():
                target[name] = _merged(target[name], value) if name in target else value
    merged["components"] = components
    return merged


def _merged(first: Any, second: Any) -> Any:
    """Two definitions of one component: mappings merged (every action's oauth2 scopes), else the first."""
    if isinstance(first, dict) and isinstance(second, dict):
        return {**second, **{key: _merged(value, second[key]) if key in second else value
                             for key, value in first.items()}}
    return first


def _read_one(path: Path) -> dict[str, Any]:
    """One OpenAPI description as a mapping; SpecParseError naming the file when it is missing or broken."""
    try:
        document = safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise SpecParseError(
            f"cannot read the OpenAPI description ({error.strerror}); run `graph-conformance generate`",
            file=str(path),
        ) from None
    except yaml.YAMLError as error:
        raise SpecParseError(f"the OpenAPI description is not valid YAML: {error}", file=str(path)) from None
    if not isinstance(document, dict) or not isinstance(document.get("paths"), dict):
        raise SpecParseError("the OpenAPI description has no `paths` mapping", file=str(path))
    return document


def has_pinned_path(path_parameters: dict[str, Any]) -> bool:
    """Whether the path still holds the pinned placeholders (the coverage phase mutates them on purpose)."""
    return all(PLACEHOLDER_PATH_VALUES.get(name) == value for name, value in path_parameters.items())


def suite_config(plan: GenerationPlan) -> schemathesis.Config:
    """The Schemathesis configuration of the suite (the equivalent of a toml, kept in code)."""
    return schemathesis.Config.from_dict(
        {
            "seed": plan.seed,
            "suppress-health-check": ["all"],
            "cache": {"enabled": False},  # no .schemathesis/ state in the user's working directory
            "generation": {
                "mode": plan.mode,
                "max-examples": plan.max_examples,
                "database": "none",
                # a failing example is reported as found: shrinking would provision an event per attempt
                "no-shrink": True,
                # the token is the caller's (sent explicitly); requests without one are ignored_auth's job
                "with-security-parameters": False,
            },
            "dictionaries": {COMMENT_DICTIONARY: {"values": list(COMMENT_VALUES)}},
            "parameters": {
                **PLACEHOLDER_IDS,
                "body.comment": {"dictionary": COMMENT_DICTIONARY, "probability": 0.3},
                "body.Comment": {"dictionary": COMMENT_DICTIONARY, "probability": 0.3},
            },
            "phases": {
                "examples": {"enabled": "examples" in plan.phases},
                "coverage": {"enabled": "coverage" in plan.phases, "unexpected-methods": list(OTHER_METHODS)},
                "fuzzing": {"enabled": "fuzzing" in plan.phases},
                "stateful": {"enabled": False},
            },
            # Path parameters are real, provisioned ids, so a valid request has no excuse for anything but 2xx
            # (Schemathesis's default also accepts 401/403/404/409/5xx, which would hide a refused comment).
            "checks": {
                "positive_data_acceptance": {"expected-statuses": ["2xx"]},
                # Real Graph's innerError.date has no UTC offset ("2024-05-01T10:00:00"), which is not an
                # RFC 3339 date-time; GRAPH-ERROR-ENVELOPE is about the envelope's shape, not that format.
                "response_schema_conformance": {"validate-formats": False},
            },
        }
    )


# Where a schema loaded at import (before the target is known) would send a request that was not given the
# target's base URL: a dead loopback port, never the description's graph.microsoft.com.
UNREACHABLE_SERVER = "http://127.0.0.1:9"


def with_unreachable_server(description: dict[str, Any]) -> dict[str, Any]:
    """A copy whose `servers` keep their base path (`/v1.0`) but point at a closed loopback port."""
    adapted = dict(description)
    servers = description.get("servers") or [{"url": "/v1.0"}]
    path = urlsplit(str(servers[0].get("url", ""))).path.rstrip("/")
    adapted["servers"] = [{"url": UNREACHABLE_SERVER + path}]
    return adapted


# A request body a correct server accepts, for actions whose page example is a placeholder
# (a dateTimeTimeZone's `"dateTime-value"`): the examples phase sends it, so a valid request can succeed.
SUITE_EXAMPLE = "suite-valid-request"
SUITE_EXAMPLES: dict[str, dict[str, Any]] = {
    "newReminderTime": {"newReminderTime": {"dateTime": "2030-01-07T09:00:00", "timeZone": "UTC"}},
}


def with_suite_examples(description: dict[str, Any]) -> dict[str, Any]:
    """A copy whose operations taking a member of SUITE_EXAMPLES also carry a named valid example of it."""
    paths: dict[str, Any] = {}
    for path, item in description.get("paths", {}).items():
        operation = item.get("post") or {}
        members = {name for name, _types in body_members(description, operation)}
        member = next((name for name in SUITE_EXAMPLES if name in members), None)
        content = ((operation.get("requestBody") or {}).get("content") or {}).get("application/json")
        if member is None or not isinstance(content, dict):
            paths[path] = item
            continue
        example = {"summary": "A valid request (the suite's)", "value": SUITE_EXAMPLES[member]}
        content = {**content, "examples": {**(content.get("examples") or {}), SUITE_EXAMPLE: example}}
        body = {**operation["requestBody"],
                "content": {**operation["requestBody"]["content"], "application/json": content}}
        paths[path] = {**item, "post": {**operation, "requestBody": body}}
    return {**description, "paths": paths}


def load_cancel_schema(plan: GenerationPlan, description: dict[str, Any] | None = None) -> OpenApiSchema:
    """The actions' description as a Schemathesis schema; every call passes the target's `base_url` itself."""
    source = description if description is not None else read_description()
    raw = with_unreachable_server(with_suite_examples(source))
    return schemathesis.openapi.from_dict(raw, config=suite_config(plan))
