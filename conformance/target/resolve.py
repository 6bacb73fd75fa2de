"""Which target a run uses: `--target FILE` (+ `--base-url`, env), `--base-url` alone, or the embedded one."""

from __future__ import annotations

from collections.abc import Mapping

import requests

from conformance.errors import BudgetExhausted, RequestUnanswered, TargetUnreachable
from conformance.target.allowance import Allowance
from conformance.target.checkup import check_configuration
from conformance.target.config import ENV_PREFIX, TargetConfig, load_target_file
from conformance.target.discovery import target_for_base_url
from conformance.target.hangs import Unanswered
from conformance.target.safety import check_safe_to_run


def resolve_target(
    *, target_file: str | None, base_url: str | None, environ: Mapping[str, str]
) -> TargetConfig | None:
    """The explicit target, validated and checked safe; None means "start the embedded reference server"."""
    target_file = target_file or environ.get(f"{ENV_PREFIX}TARGET") or None
    if target_file is not None:
        target = load_target_file(target_file, environ=environ, base_url=base_url)
    elif given := base_url or environ.get(f"{ENV_PREFIX}BASE_URL"):
        target = target_for_base_url(given, environ)  # tokens from the environment, or a reference server
    else:
        return None
    check_safe_to_run(target)
    return target


def probe_reachable(target: TargetConfig, allowance: Allowance | None = None) -> None:
    """Raise TargetUnreachable when nothing answers at the target's base URL (any HTTP answer will do).

    With the run's allowance, the probe is one of its requests; when none is left it is not sent (the run
    goes on, and the budget ends what would send more).
    """
    if allowance is not None:
        try:
            allowance.take("GET", target.base_url)
        except BudgetExhausted:
            return
    try:
        requests.get(
            target.base_url, timeout=(target.connect_timeout, target.read_timeout), allow_redirects=False
        )
    except (requests.ConnectionError, requests.Timeout) as error:
        raise TargetUnreachable(
            f"target {target.name!r} at {target.base_url} does not answer ({type(error).__name__}); "
            "start the server or fix base_url / --base-url"
        ) from None


def already_probed(error: BaseException) -> bool:
    """Whether a request's "no answer" came with a health probe that the target answered (no second one)."""
    return isinstance(error, RequestUnanswered | Unanswered)


def check_target(target: TargetConfig, environ: Mapping[str, str]) -> int:
    """Before any case: the target answers (else exit 3), is Graph, and accepts every identity (else 2);
    returns the requests it sent (the probe's and retries included), taken from the run's budget."""
    allowance = Allowance(target.run_budget)
    probe_reachable(target, allowance)
    check_configuration(target, environ, allowance)
    return allowance.spent().requests
