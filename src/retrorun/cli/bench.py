"""``retrorun test``: a test bench for profiles — every simulator preset, random faults, audited.

Each run is ``retrorun run PROFILE --sim --sim-preset P [--sim-fault ...] --fast --headless``
in a worker process (``--jobs`` at a time, on virtual time), its log then read by the
independent auditor (`retrorun.recording.audit`). A run passes when its log breaks no
safety rule and the session ended in words (finished, or stopped or interrupted with its
reason); it fails on any audit violation or a crash. The table says, per run: how it
ended, the turns, the share of long intervals spent at their target speed, the alarms, and
the audit; a failing run is printed with the command that reproduces it.

Exit codes: 0 every run passed, 1 a run failed, 2 bad input.
"""

from __future__ import annotations

import contextlib
import io
import json
import random
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

# Random fault kinds and how their values are drawn (seconds, km/h, %).
_FAULTS: tuple[tuple[str, tuple[float, float] | None], ...] = (
    ("console-speed", (1.0, 14.0)),
    ("console-incline", (0.0, 12.0)),
    ("console-stop", None),
    ("safety-key", None),
    ("disconnect", (1.0, 20.0)),
    ("drop-notifications", (1.0, 12.0)),
    ("reject-command", None),
    ("delay-command", (0.5, 6.0)),
)
LONG_INTERVAL_S = 60.0
AT_TARGET_KMH = 0.3


@dataclass(frozen=True)
class Run:
    """One session to run: a profile on a preset with faults."""

    profile: str
    preset: str
    faults: tuple[str, ...] = ()

    def args(self, log: Path | None = None) -> list[str]:
        faults = [arg for fault in self.faults for arg in ("--sim-fault", fault)]
        args = ["run", self.profile, "--sim", "--sim-preset", self.preset, *faults]
        args += ["--fast", "--headless", "--no-voice"]
        return [*args, "--log", str(log)] if log is not None else args

    @property
    def command(self) -> str:
        return "retrorun " + " ".join(self.args())


@dataclass(frozen=True)
class Outcome:
    """What one run did."""

    run: Run
    exit_code: int
    ended: str
    turns: int
    at_target: float | None
    """The worst interval of a minute or more: the share of its counted time within
    0.3 km/h of its target."""
    alarms: int
    violations: tuple[str, ...]

    crashed: bool = False
    """The session failed (an exception, no summary): a bug, whatever the treadmill did."""

    @property
    def passed(self) -> bool:
        return not self.violations and not self.crashed


def random_faults(rng: random.Random, duration_s: float) -> tuple[str, ...]:
    """One to three faults at random times of a session of `duration_s`."""
    faults = []
    for _ in range(rng.randint(1, 3)):
        kind, values = rng.choice(_FAULTS)
        at = rng.uniform(10.0, max(20.0, duration_s * 0.9))
        fault = f"{kind}@{at:.0f}"
        if values is not None:
            fault += f":{rng.uniform(*values):.1f}"
        faults.append(fault)
    return tuple(sorted(faults, key=lambda f: float(f.split("@")[1].split(":")[0])))


def one(run: Run, keep: Path | None = None) -> Outcome:
    """Run one session in this process and judge its log (kept at `keep` when given)."""
    with tempfile.TemporaryDirectory() as folder:
        return _one(run, keep or Path(folder) / "session.jsonl")


def _one(run: Run, log: Path) -> Outcome:
    from retrorun.cli import run as main  # noqa: PLC0415 - the whole command line, in-process

    code = 1
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        try:
            main(run.args(log))
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
    if not log.exists():
        return Outcome(run, code, "crash", 0, None, 0, (), crashed=True)
    return _judge(run, code, log)


def _judge(run: Run, code: int, log: Path) -> Outcome:
    from retrorun.errors import RetrorunError  # noqa: PLC0415
    from retrorun.recording.audit import audit  # noqa: PLC0415
    from retrorun.recording.log_reader import read_log  # noqa: PLC0415

    events: list[tuple[object, Mapping[str, Any]]]
    found: tuple[str, ...] = ()
    try:
        session = read_log(log)
    except RetrorunError:
        # Nothing recorded to audit (the treadmill never sent data): how it ended is all.
        lines = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
        summary = lines[-1] if lines and lines[-1].get("type") == "summary" else None
        events = [(line.get("type"), line) for line in lines]
    else:
        summary = session.summary
        events = [(event.type, event.fields) for event in session.events]
        found = tuple(f"[{v.t:.0f} s] {v.rule}: {v.message}" for v in audit(session))
    ended = "crash" if summary is None else str(summary["outcome"])
    if summary is not None and summary["outcome"] != "finished":
        ended = f"{summary['outcome']}: {summary['reason']}"
    return Outcome(
        run,
        code,
        ended,
        int(summary["turns"]) if summary is not None else 0,
        _at_target(events),
        sum(1 for _, fields in events if fields.get("kind") == "alarm"),
        found,
        crashed=summary is None or summary.get("ending") == "failure",
    )


def _at_target(events: Sequence[tuple[object, Mapping[str, Any]]]) -> float | None:
    """The worst long interval's share of its counted time within `AT_TARGET_KMH` of its
    target: for each time interval of `LONG_INTERVAL_S` or more, the telemetry from its clock's
    start (the log's ``"clock": "started"``) to its end, while the session runs."""
    shares: list[float] = []
    target: float | None = None
    counting = running = False
    inside = total = 0

    def close() -> None:
        nonlocal counting, inside, total
        if counting and total:
            shares.append(inside / total)
        counting, inside, total = False, 0, 0

    for kind, line in events:
        if kind == "segment":
            close()
            long_one = (
                line.get("kind") == "interval" and line.get("duration_s", 0) >= LONG_INTERVAL_S
            )
            target = float(line["speed_kmh"]) if long_one else None
        elif kind == "phase" and line.get("clock") == "started" and target is not None:
            counting = True
        elif kind == "state":
            running = line.get("state") in ("running", "resumed")
            if line.get("state") in ("finished", "stopped", "interrupted", "failed"):
                close()
        elif kind == "telemetry" and counting and running and target is not None:
            speed = line.get("speed_kmh")
            total += 1
            inside += isinstance(speed, int | float) and abs(speed - target) <= AT_TARGET_KMH
    close()
    return min(shares) if shares else None


def plan_runs(
    profiles: Sequence[str],
    presets: Sequence[str],
    faults: int,
    seed: int,
    durations: dict[str, float],
) -> list[Run]:
    """Every profile on every preset, plus `faults` random fault schedules each."""
    rng = random.Random(seed)  # noqa: S311 - reproducible test schedules, not secrets
    runs = []
    for profile in profiles:
        for preset in presets:
            runs.append(Run(profile, preset))
            runs += [
                Run(profile, preset, random_faults(rng, durations[profile])) for _ in range(faults)
            ]
    return runs


@click.command("test")
@click.argument("profiles", nargs=-1, required=True)
@click.option(
    "--presets",
    default="all",
    show_default=True,
    help="Simulator presets: all, cooperative, or a comma-separated list.",
)
@click.option(
    "--faults",
    "fault_runs",
    type=click.IntRange(min=0, max=1000),
    default=0,
    show_default=True,
    help="Random fault schedules per profile and preset, on top of a run without faults.",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the random faults.")
@click.option(
    "--jobs",
    type=click.IntRange(min=1, max=64),
    default=None,
    help="Runs at a time (default: CPUs).",
)
def bench(
    profiles: tuple[str, ...], presets: str, fault_runs: int, seed: int, jobs: int | None
) -> None:
    """Run PROFILE... on every simulator preset and under random faults, and audit every log.

    What a coach or developer runs before trusting a profile: each run is a whole session
    on virtual time; its log is checked against the safety rules by the independent
    auditor. Prints a table per profile and the command that reproduces any failing run.
    """
    import os  # noqa: PLC0415
    from concurrent.futures import ProcessPoolExecutor  # noqa: PLC0415

    from retrorun.cli.launch import LaunchOptions, check  # noqa: PLC0415
    from retrorun.config import load_config  # noqa: PLC0415
    from retrorun.errors import InputError  # noqa: PLC0415
    from retrorun_sim import COOPERATIVE_PRESETS, PRESETS  # noqa: PLC0415

    chosen = _presets(presets, tuple(PRESETS), tuple(COOPERATIVE_PRESETS))
    unknown = [p for p in chosen if p not in PRESETS]
    if unknown:
        raise InputError(
            f"unknown preset {unknown[0]!r}; known: {', '.join(PRESETS)}", location="--presets"
        )
    config = load_config()  # the one every run reads (a zone profile needs its zones)
    durations = {
        p: check(LaunchOptions(profile=p, config=config)).total_duration_s
        for p in dict.fromkeys(profiles)
    }
    runs = plan_runs(profiles, chosen, fault_runs, seed, durations)
    _import_the_stack()
    with ProcessPoolExecutor(max_workers=jobs or os.cpu_count() or 1) as pool:
        outcomes = list(pool.map(one, runs))
    failed = 0
    for profile in dict.fromkeys(profiles):
        click.echo(f"\n{profile}")
        click.echo(f"  {'preset':<20} {'faults':>6}  {'turns':>5}  {'at target':>9}  ", nl=False)
        click.echo(f"{'alarms':>6}  audit   ended")
        for outcome in (o for o in outcomes if o.run.profile == profile):
            share = "-" if outcome.at_target is None else f"{outcome.at_target:.0%}"
            verdict = "clean" if not outcome.violations else f"{len(outcome.violations)} bad"
            click.echo(
                f"  {outcome.run.preset:<20} {len(outcome.run.faults):>6}  {outcome.turns:>5}  "
                f"{share:>9}  {outcome.alarms:>6}  {verdict:<6}  {outcome.ended}"
            )
    for outcome in outcomes:
        if not outcome.passed:
            failed += 1
            click.echo(f"\nFAILED: {outcome.run.command}")
            for line in outcome.violations[:5]:
                click.echo(f"  {line}")
    click.echo(f"\n{len(outcomes) - failed} passed, {failed} failed")
    raise click.exceptions.Exit(1 if failed else 0)


def _import_the_stack() -> None:
    """Import what a run needs before the workers start: forked workers (Linux) share it
    instead of each importing the whole stack again."""
    import retrorun.cli.companions  # noqa: PLC0415
    import retrorun.cli.launch  # noqa: PLC0415
    import retrorun.device  # noqa: PLC0415
    import retrorun.headless  # noqa: PLC0415
    import retrorun.recording.audit  # noqa: PLC0415
    import retrorun.recording.log_reader  # noqa: PLC0415
    import retrorun.recording.session_log  # noqa: PLC0415
    import retrorun.session.runner  # noqa: F401, PLC0415
    import retrorun_sim  # noqa: F401, PLC0415


def _presets(text: str, every: tuple[str, ...], cooperative: tuple[str, ...]) -> tuple[str, ...]:
    if text == "all":
        return every
    if text == "cooperative":
        return cooperative
    return tuple(name.strip() for name in text.split(",") if name.strip())
