"""The frozen TargetConfig: a target file (or the embedded server's document) plus environment overrides.

Environment variables (read once, by the plugin, and passed in here as a mapping):
    GRAPH_CONFORMANCE_TARGET               a target file, when `--target` is not given
    GRAPH_CONFORMANCE_BASE_URL             overrides the file's `base_url` (`--base-url` overrides both)
    GRAPH_CONFORMANCE_TOKEN_<ROLE>         a literal token for ORGANIZER, ORGANIZER_MINIMAL, ATTENDEE,
                                           ATTENDEE2, READONLY, APPLICATION, PERSONAL (replaces its token)
    GRAPH_CONFORMANCE_UNSUPPORTED_PROFILES comma-separated profiles, replacing `unsupported_profiles`
Token kinds `env`, `password_env` and `client_secret_env` name further variables, also resolved here.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any
from urllib.parse import urlsplit

import yaml

from conformance._yaml import safe_load
from conformance.errors import TargetConfigError
from conformance.target._validate import check_token_fields, target_schema, validate_document
from conformance.target.polling import MAIL_EFFECTS, Base, Effect
from conformance.target.urls import check_base_url

ENV_PREFIX = "GRAPH_CONFORMANCE_"
EXCHANGE_SEND_LIMIT = 30  # messages a minute per sender: Exchange Online's limit, assumed for a remote target
MAIL_WAIT_MAX_S = 300.0  # beyond this a message wait is reported not-verified, never waited out
EFFECT_FACTOR = 10.0  # a learned polling bound: this many times the slowest effect of its kind seen so far
EFFECT_FLOOR_S = (0.5, 10.0)  # polling.effect_floor_s defaults, kept for target files; no bound uses it now
EFFECT_BOUND_S = 30.0  # the default bound of every effect after an action, loopback included
REMOTE_EFFECT_BOUND_S = 60.0  # ... on a remote target
REMOTE_MAIL_BOUND_S = 180.0  # ... and for meeting messages there (Exchange-like delivery takes minutes)
READ_TIMEOUT_S = 30.0  # timeouts.read when the target file declares none ...
LOOPBACK_READ_TIMEOUT_S = 10.0  # ... and when the base URL is loopback: an answer from this machine is quick
USER_ROLES = ("organizer", "organizer_minimal", "readonly", "unprivileged", "personal")
SECRET_FIELDS = ("value", "client_secret", "password")


class SecretFields(Mapping[str, Any]):
    """A token source's fields, read-only, whose repr masks the secret ones (tracebacks print reprs)."""

    def __init__(self, fields: Mapping[str, Any]) -> None:
        self._fields = dict(fields)

    def __getitem__(self, key: str) -> Any:
        return self._fields[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._fields)

    def __len__(self) -> int:
        return len(self._fields)

    def __repr__(self) -> str:
        shown = {key: "[REDACTED]" if key in SECRET_FIELDS and value else value
                 for key, value in self._fields.items()}
        return f"SecretFields({shown!r})"


@dataclass(frozen=True)
class TokenSpec:
    """Where an identity's token comes from: a kind and its (env-resolved) fields (masked in its repr)."""

    kind: str
    fields: Mapping[str, Any]

    def __post_init__(self) -> None:
        if not isinstance(self.fields, SecretFields):
            object.__setattr__(self, "fields", SecretFields(self.fields))

    def secrets(self) -> set[str]:
        """The secret strings of this source (to redact wherever they appear)."""
        return {str(self.fields[name]) for name in SECRET_FIELDS if self.fields.get(name)}


@dataclass(frozen=True)
class Identity:
    """One role the suite acts as: a mailbox user, the application, or the group."""

    role: str
    user_id: str | None = None
    user_principal_name: str | None = None
    email: str | None = None
    token: TokenSpec | None = None
    user_ids: tuple[str, ...] = ()
    group_id: str | None = None

    @property
    def address(self) -> str | None:
        """The SMTP address attendees are invited with."""
        return self.email or self.user_principal_name


@dataclass(frozen=True)
class Budget:
    """What one run may spend on the target (None: no limit); the suite plans its effort to fit."""

    events: int | None = None  # events created
    messages: int | None = None  # meeting messages caused (invitations + cancellation notices)
    requests: int | None = None  # HTTP requests sent

    @property
    def limited(self) -> bool:
        """Whether any limit is set."""
        return any(limit is not None for limit in (self.events, self.messages, self.requests))


# a remote target whose file sets no budget: a whole default run of the seven actions (the caps: 250
# events, 150 meeting messages, 2,000 requests), and no more meeting mail than one test mailbox takes in five
# minutes at Exchange Online's 30 messages a minute
DEFAULT_REMOTE_BUDGET = Budget(events=250, messages=150, requests=2000)


@dataclass(frozen=True)
class TargetConfig:
    """Everything the suite knows about the server under test, resolved once per run."""

    name: str
    base_url: str
    source: str
    identities: Mapping[str, Identity]
    unsupported_profiles: frozenset[str] = frozenset()
    actions: tuple[str, ...] = ()  # the actions the target implements (file's `actions`; empty: every one)
    max_concurrency_per_mailbox: int = 4
    connect_timeout: float = 5.0
    read_timeout: float = 30.0
    retry_total: int = 6
    backoff_max: float = 8.0
    retry_after_max: float = 30.0
    poll_timeout_s: float = 30.0
    poll_interval_s: float = 0.25
    attendee_roles: tuple[str, ...] = field(default=())
    budget: Budget = field(default_factory=Budget)
    remote: bool | None = None  # the file's `remote`: treat the target as a real tenant (None: by the URL)
    send_limit_per_minute: int | None = None  # polling.send_limit_per_minute (None: 30 if remote, else none)
    mail_wait_max_s: float = MAIL_WAIT_MAX_S
    effect_floor_s: float | None = None  # polling.effect_floor_s (None: EFFECT_FLOOR_S by loopback/remote)
    effect_factor: float = EFFECT_FACTOR  # polling.effect_factor
    effects: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}))  # effects.<kind>_s
    poll_timeout_declared: bool = False  # the file sets polling.timeout_s: the bound of undeclared kinds

    @property
    def is_loopback(self) -> bool:
        """True when the base URL names this machine (127.0.0.0/8, ::1 or localhost)."""
        return is_loopback_url(self.base_url)

    @property
    def is_remote(self) -> bool:
        """Whether to spend as on a real tenant: the file says `remote: true`, or the URL is not loopback."""
        return self.remote if self.remote is not None else not self.is_loopback

    @property
    def run_budget(self) -> Budget:
        """What the run may spend: the file's `budget`, else DEFAULT_REMOTE_BUDGET on a remote target."""
        if self.budget.limited or not self.is_remote:
            return self.budget
        return DEFAULT_REMOTE_BUDGET

    @property
    def send_limit(self) -> int:
        """Meeting messages a sender may send per minute (0: no limit known)."""
        if self.send_limit_per_minute is not None:
            return self.send_limit_per_minute
        return EXCHANGE_SEND_LIMIT if self.is_remote else 0

    @property
    def effect_floor(self) -> float:
        """polling.effect_floor_s (else by loopback/remote): accepted, unused since bounds never shrink."""
        if self.effect_floor_s is not None:
            return self.effect_floor_s
        return EFFECT_FLOOR_S[1] if self.is_remote else EFFECT_FLOOR_S[0]

    def effect_base(self, effect: Effect) -> Base:
        """A kind's bound before learning: effects.<kind>_s, else polling.timeout_s, else the default."""
        if effect.value in self.effects:
            return Base(self.effects[effect.value], "declared", effect.key)
        if self.poll_timeout_declared:
            return Base(self.poll_timeout_s, "declared", "polling.timeout_s")
        return Base(default_effect_bound(effect, remote=self.is_remote), "default", effect.key)

    def mail_wait_s(self, messages_sent: int, elapsed_s: float) -> float:
        """How long to wait for a meeting message once the organizer has caused `messages_sent` of them in
        the `elapsed_s` seconds since its first: the polling bound plus the queue the sending limit builds.

        At N messages a minute the k-th message (all sent at once) leaves 60 * floor(k / N) s after the first,
        so no message is later than that; compare the result with `mail_wait_max_s` before waiting it out.
        """
        if self.send_limit <= 0:
            return self.poll_timeout_s
        queue_s = 60.0 * (max(messages_sent, 0) // self.send_limit) - max(elapsed_s, 0.0)
        return self.poll_timeout_s + max(0.0, queue_s)

    def secrets(self) -> set[str]:
        """Every configured secret (literal tokens, client secrets, passwords)."""
        found: set[str] = set()
        for identity in self.identities.values():
            if identity.token is not None:
                found |= identity.token.secrets()
        return found


def default_read_timeout(base_url: str) -> float:
    """The read timeout of a target file that declares none: shorter on loopback (timeouts.read wins)."""
    return LOOPBACK_READ_TIMEOUT_S if is_loopback_url(base_url) else READ_TIMEOUT_S


def default_effect_bound(effect: Effect, *, remote: bool) -> float:
    """The default bound of a kind of effect: 30 s on loopback; on a remote target 60 s, mail 180 s."""
    if not remote:
        return EFFECT_BOUND_S
    return REMOTE_MAIL_BOUND_S if effect in MAIL_EFFECTS else REMOTE_EFFECT_BOUND_S


def is_loopback_url(url: str) -> bool:
    """Whether `url`'s host is a loopback address."""
    host = (urlsplit(url).hostname or "").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def token_variable(role: str) -> str:
    """`GRAPH_CONFORMANCE_TOKEN_ORGANIZER`: the variable whose literal token replaces `role`'s."""
    return f"{ENV_PREFIX}TOKEN_{role.upper()}"


def attendee_role(index: int) -> str:
    """`attendee`, `attendee2`, `attendee3`... for attendees[index]."""
    return "attendee" if index == 0 else f"attendee{index + 1}"


def _resolve_token(
    raw: Mapping[str, Any], defaults: Mapping[str, Any], where: str, source: str, environ: Mapping[str, str]
) -> TokenSpec:
    merged = {**defaults, **raw}
    kind = check_token_fields(merged, where, source)
    if kind == "env":
        variable = merged["var"]
        if not environ.get(variable):
            raise TargetConfigError(f"{source}: {where}.var names ${variable}, which is not set; export it")
        return TokenSpec("literal", MappingProxyType({"value": environ[variable]}))
    for name in ("password", "client_secret"):
        variable = merged.get(f"{name}_env")
        if variable and not merged.get(name):
            if not environ.get(variable):
                raise TargetConfigError(f"{source}: {where}.{name}_env names ${variable}, which is not set")
            merged[name] = environ[variable]
    return TokenSpec(kind, MappingProxyType(merged))


def _user_identity(
    role: str,
    raw: Mapping[str, Any],
    defaults: Mapping[str, Any],
    where: str,
    source: str,
    environ: Mapping[str, str],
) -> Identity:
    override = environ.get(token_variable(role))
    token = (
        TokenSpec("literal", MappingProxyType({"value": override}))
        if override
        else _resolve_token(raw["token"], defaults, f"{where}.token", source, environ)
    )
    return Identity(
        role=role,
        user_id=raw["user_id"],
        user_principal_name=raw.get("user_principal_name"),
        email=raw.get("email"),
        token=token,
    )


def _identities(document: Mapping[str, Any], source: str, environ: Mapping[str, str]) -> dict[str, Identity]:
    defaults = document.get("token_defaults", {})
    raw_identities = document["identities"]
    identities: dict[str, Identity] = {}
    for role in USER_ROLES:
        if role in raw_identities:
            identities[role] = _user_identity(
                role, raw_identities[role], defaults, f"identities.{role}", source, environ
            )
    for index, raw in enumerate(raw_identities.get("attendees", [])):
        role = attendee_role(index)
        identities[role] = _user_identity(
            role, raw, defaults, f"identities.attendees[{index}]", source, environ
        )
    if "application" in raw_identities:
        raw = raw_identities["application"]
        override = environ.get(token_variable("application"))
        token = (
            TokenSpec("literal", MappingProxyType({"value": override}))
            if override
            else _resolve_token(raw["token"], defaults, "identities.application.token", source, environ)
        )
        identities["application"] = Identity(role="application", token=token, user_ids=tuple(raw["user_ids"]))
    if "group" in raw_identities:
        identities["group"] = Identity(role="group", group_id=raw_identities["group"]["group_id"])
    return identities


def _profiles(document: Mapping[str, Any], source: str, environ: Mapping[str, str]) -> frozenset[str]:
    listed = environ.get(f"{ENV_PREFIX}UNSUPPORTED_PROFILES")
    if listed is None:
        return frozenset(document.get("unsupported_profiles", []))
    allowed = target_schema()["properties"]["unsupported_profiles"]["items"]["enum"]
    profiles = frozenset(part.strip() for part in listed.split(",") if part.strip())
    unknown = sorted(profiles - set(allowed))
    if unknown:
        raise TargetConfigError(
            f"{ENV_PREFIX}UNSUPPORTED_PROFILES: {', '.join(map(repr, unknown))} is not one of "
            f"{', '.join(allowed)}"
        )
    return profiles


def target_from_document(
    document: Any, *, source: str, environ: Mapping[str, str], base_url: str | None = None
) -> TargetConfig:
    """Validate a target document and resolve it with overrides (`base_url` argument > env > file)."""
    validate_document(document, source)
    resolved_url = base_url or environ.get(f"{ENV_PREFIX}BASE_URL") or document["base_url"]
    origin = ("--base-url" if base_url else f"${ENV_PREFIX}BASE_URL" if environ.get(f"{ENV_PREFIX}BASE_URL")
              else f"base_url in {source}")
    check_base_url(resolved_url, origin)
    identities = _identities(document, source, environ)
    timeouts = document.get("timeouts", {})
    retries = document.get("retries", {})
    polling = document.get("polling", {})
    budget = document.get("budget", {})
    return TargetConfig(
        name=document.get("name", urlsplit(resolved_url).hostname or resolved_url),
        base_url=resolved_url.rstrip("/"),
        source=source,
        identities=MappingProxyType(identities),
        unsupported_profiles=_profiles(document, source, environ),
        actions=tuple(document.get("actions", ())),
        max_concurrency_per_mailbox=document.get("max_concurrency_per_mailbox", 4),
        connect_timeout=float(timeouts.get("connect", 5.0)),
        read_timeout=float(timeouts.get("read", default_read_timeout(resolved_url))),
        retry_total=retries.get("total", 6),
        backoff_max=float(retries.get("backoff_max", 8.0)),
        retry_after_max=float(retries.get("retry_after_max", 30.0)),
        poll_timeout_s=float(polling.get("timeout_s", 30.0)),
        poll_interval_s=float(polling.get("interval_s", 0.25)),
        attendee_roles=tuple(role for role in identities if role.startswith("attendee")),
        budget=Budget(events=budget.get("events"), messages=budget.get("messages"),
                      requests=budget.get("requests")),
        remote=document.get("remote"),
        send_limit_per_minute=polling.get("send_limit_per_minute"),
        mail_wait_max_s=float(polling.get("mail_wait_max_s", MAIL_WAIT_MAX_S)),
        effect_floor_s=None if polling.get("effect_floor_s") is None else float(polling["effect_floor_s"]),
        effect_factor=float(polling.get("effect_factor", EFFECT_FACTOR)),
        effects=MappingProxyType(_effects(document.get("effects", {}))),
        poll_timeout_declared="timeout_s" in polling,
    )


def _effects(declared: Mapping[str, Any]) -> dict[str, float]:
    """The file's `effects` mapping (validated by the schema) by kind: {"notice": 120.0}."""
    return {key.removesuffix("_s"): float(value) for key, value in declared.items()}


def _yaml_problem(error: yaml.YAMLError) -> str:
    """One line: what the YAML parser found wrong, and where (line and column, from 1)."""
    if isinstance(error, yaml.MarkedYAMLError) and error.problem_mark is not None:
        mark = error.problem_mark
        return f"{error.problem} (line {mark.line + 1}, column {mark.column + 1})"
    return " ".join(str(error).split())


def load_target_file(
    path: str | Path, *, environ: Mapping[str, str], base_url: str | None = None
) -> TargetConfig:
    """Read, validate and resolve a YAML target file."""
    file_path = Path(path)
    try:
        text = file_path.read_text(encoding="utf-8")
    except OSError as error:
        raise TargetConfigError(
            f"target file {str(path)!r} cannot be read ({error.strerror}); check --target"
        ) from None
    except UnicodeDecodeError as error:
        raise TargetConfigError(
            f"target file {str(path)!r} is not UTF-8 text (byte {error.start}); save it as UTF-8 YAML"
        ) from None
    try:
        document = safe_load(text)
    except yaml.YAMLError as error:
        problem = _yaml_problem(error)
        raise TargetConfigError(f"target file {str(path)!r} is not valid YAML: {problem}") from None
    return target_from_document(document, source=str(path), environ=environ, base_url=base_url)
