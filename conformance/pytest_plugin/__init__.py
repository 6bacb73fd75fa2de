"""The suite's pytest plugin in small parts; `conformance.plugin` (the pytest11 entry point) loads them all.

    options   `--target`, `--run-id`; the target resolved once, before configure (bad input: one line)
    rootdir   a path given as an option's value (`--target FILE`) does not move pytest's rootdir
    context   the typed RunContext in the stash, the report header, the transcript of each test
    xdist     `-n` schedules with worksteal; the controller hands out the run id and adds up the counts
    outcomes  what an exception escaping a case means (not-verified, or exit 3 after a failed probe)
    fixtures  target, run_id, graph, provision, the embedded reference server, profiles
    redaction every report's failure text and captured output through the run's redactor
"""

PLUGIN_MODULES = tuple(
    f"conformance.pytest_plugin.{name}"
    # imported before use
    for name in ("options", "rootdir", "context", "outcomes", "xdist", "fixtures", "redaction")
)
