"""``retrorun audit LOG``: check a session log against the safety rules (docs/audit.md).

Exit codes: 0 clean, 1 violations, 2 a missing or broken log (one line naming file:line).
Heavy modules load inside the command body so ``retrorun --help`` stays instant.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

EXIT_CLEAN = 0
EXIT_VIOLATIONS = 1


@click.command()
@click.argument("log", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the violations as JSON.")
def audit(log: Path, *, as_json: bool) -> int:
    """Check a session LOG against the safety rules, from the log alone.

    Prints one line per violation ([m:ss] rule: message) and a last line with the count or
    "clean"; exits 1 if anything broke a rule.
    """
    from retrorun.cli.export import read_session_log  # noqa: PLC0415
    from retrorun.recording import audit as auditor  # noqa: PLC0415

    session = read_session_log(log)
    limits = auditor.AuditLimits.of(session.header)
    found = auditor.audit(session, limits)
    if as_json:
        document = {
            "log": str(log),
            "limits": "header" if limits.from_header else "hard limits",
            "complete": session.complete,
            "violations": [
                {"t": v.t, "rule": v.rule, "message": v.message, "line": v.line} for v in found
            ],
        }
        click.echo(json.dumps(document, indent=2))
    else:
        if not limits.from_header:
            click.echo(
                f"note: {log} carries no session limits; audited against the hard limits",
                err=True,
            )
        for violation in found:
            click.echo(f"[{auditor.clock(violation.t)}] {violation.rule}: {violation.message}")
        count = len(found)
        click.echo(f"{count} violation{'s' if count != 1 else ''}" if found else "clean")
    return EXIT_VIOLATIONS if found else EXIT_CLEAN
