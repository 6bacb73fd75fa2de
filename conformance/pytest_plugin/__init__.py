"""The suite's pytest plugin in small parts; `conformance.plugin` (the pytest11 entry point) loads them all.

    activation  a session that is no conformance run: every plugin of the suite steps aside (its
              tryfirst hook runs before options' one: registered after it)
    options   `--target`, `--run-id`; the target resolved once, before configure (bad input: one line)
    actions   `--actions` and the target's `actions`: the run's actions; cases of the others not-applicable
    context   the typed RunContext in the stash, the report header, the transcript of each test
    budget    the share file xdist workers count the run's budget in; each process's Allowance
    xdist     `-n` schedules with worksteal; the controller hands out the run id and adds up the counts
    outcomes  what an exception escaping a case means (not-verified, or exit 3 after a failed probe)
    fixtures  target, run_id, graph, provision, the embedded reference server, profiles
    redaction every report's failure text and captured output through the run's redactor
"""

PLUGIN_MODULES = tuple(
    f"conformance.pytest_plugin.{name}"
    for name in ("actions", "options", "activation", "context", "budget", "outcomes", "xdist", "fixtures",
                 "redaction")
)
