"""Profile commands: ``plan``, ``validate``, ``profiles`` and ``import``.

Heavy libraries (pydantic, yaml) load inside the command bodies so ``retrorun --help``
stays instant.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from retrorun.config import Config
    from retrorun.profiles.loader import ProfileDocument
    from retrorun.profiles.plan import Plan, Segment
    from retrorun.profiles.words import Units

EXIT_BAD_INPUT = 2

config_option = click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Config file with [limits] (default: $RETRORUN_CONFIG or the user config folder).",
)


def _config(config_path: Path | None) -> Config:
    from retrorun.config import load_config  # noqa: PLC0415 - heavy imports stay lazy

    return load_config(config_path)


def _load(argument: str) -> ProfileDocument:
    from retrorun.profiles import library  # noqa: PLC0415
    from retrorun.profiles.loader import load_profile  # noqa: PLC0415

    return load_profile(library.resolve(argument))


def _compile(document: ProfileDocument, config: Config) -> Plan:
    from retrorun.profiles.plan import compile_plan  # noqa: PLC0415

    return compile_plan(
        document.profile, config.limits, where=document, zones=config.heart_rate_zones
    )


def _length(seg: Segment, units: Units) -> str:
    """``2:00``, ``400 m`` (``0.25 mi``); an open step or one ending on a heart rate
    ``≤10:00`` (it may end earlier, at the latest then)."""
    from retrorun.profiles.quantities import format_duration  # noqa: PLC0415
    from retrorun.profiles.words import distance_text  # noqa: PLC0415

    if seg.distance_m is not None:
        return distance_text(seg.distance_m, units)
    text = format_duration(seg.duration_s or 0.0)
    return f"≤{text}" if seg.open_ended or seg.until_heart_rate is not None else text


def _speed(seg: Segment, units: Units) -> str:
    """``9.0``, ``6.0→9.0`` (a ramp), ``6.0-9.0`` (a zone step's range), ``keep``; in the
    runner's units."""
    from retrorun.profiles.words import speed_number  # noqa: PLC0415

    def shown(kmh: float) -> str:
        return f"{speed_number(kmh, units):.1f}"

    if seg.keep_speed:
        return "keep"
    if seg.heart_rate is not None:
        return f"{shown(seg.heart_rate.min_speed_kmh)}-{shown(seg.heart_rate.max_speed_kmh)}"
    if seg.ramp_from_kmh is None:
        return shown(seg.speed_kmh)
    return f"{shown(seg.ramp_from_kmh)}→{shown(seg.speed_kmh)}"


RUNNING_KMH = 7.2
"""From about 2 m/s people run rather than walk forward: there a pace says more than a speed."""


def _notes(seg: Segment, units: Units) -> str:
    """What a step holds or waits for, after its label; a forward run's pace."""
    from retrorun.profiles.quantities import format_duration  # noqa: PLC0415
    from retrorun.profiles.words import pace_text  # noqa: PLC0415

    notes = []
    steady = seg.heart_rate is None and not seg.keep_speed and seg.ramp_from_kmh is None
    running = seg.kind == "interval" and seg.direction == "forward" and steady
    if running and seg.speed_kmh >= RUNNING_KMH:
        notes.append(pace_text(seg.speed_kmh, units))
    hold = seg.heart_rate
    if hold is not None:
        bpm = (
            f"{hold.low_bpm}-{hold.high_bpm} bpm"
            if hold.low_bpm is not None
            else "needs [heart_rate] max_bpm in the config"
        )
        notes.append(bpm if hold.target in seg.label else f"holds {hold.target}: {bpm}")
    if seg.open_ended:
        notes.append("until skip/lap")
    if seg.until_heart_rate is not None:
        most = format_duration(seg.duration_s or 0.0)
        notes.append(f"up to {most}, until {seg.until_heart_rate.describe()}")
    if seg.repeat_round:
        notes.append(seg.repeat_round)
    notes.extend(f"round ends: {end.describe()}" for end in seg.round_ends)
    return f" ({'; '.join(notes)})" if notes else ""


def _print_plan(plan: Plan, units: Units) -> None:
    from retrorun.profiles.chart import render  # noqa: PLC0415
    from retrorun.profiles.quantities import format_duration  # noqa: PLC0415
    from retrorun.profiles.words import in_units, speed_unit, total_distance_text  # noqa: PLC0415

    click.echo(plan.name)
    unit = speed_unit(units)
    header = f"{'#':>3}  {'start':>7}  {'kind':<8} {'dir':<8} {'length':>8} {unit:>9} "
    click.echo(header + f"{'incl %':>6}  label")
    for seg in plan.segments:
        click.echo(
            f"{seg.index:>3}  {format_duration(seg.start_s):>7}  {seg.kind:<8} "
            f"{seg.direction:<8} {_length(seg, units):>8} "
            f"{_speed(seg, units):>9} {seg.incline_pct:>6.1f}  {in_units(seg.label, units)}"
            + _notes(seg, units)
        )
    click.echo(
        f"total {format_duration(plan.total_duration_s)}, "
        f"{total_distance_text(plan.total_distance_m, units)}, "
        f"{plan.turns} turns; forward {format_duration(plan.forward_duration_s)}, "
        f"backward {format_duration(plan.backward_duration_s)} "
        f"({plan.backward_share:.0%}), turns {format_duration(plan.turn_duration_s)}"
    )
    click.echo("")
    for line in render(plan, units=units):
        click.echo(line.rstrip())


def _print_cues(plan: Plan, config: Config, *, as_json: bool) -> None:
    """What a session of `plan` says, and when (rehearsed by the session engine itself)."""
    from retrorun.session.inputs import EngineOptions  # noqa: PLC0415
    from retrorun.session.rehearsal import rehearse  # noqa: PLC0415

    options = EngineOptions(interactive=False, headless=True, cues=config.cues, units=config.units)
    said = rehearse(plan, options)
    if as_json:
        click.echo(json.dumps([cue.__dict__ for cue in said], indent=2))
        return
    for cue in said:
        minutes, seconds = divmod(cue.t, 60)
        beeps = " (beep)" if cue.beeps else ""
        click.echo(f"{int(minutes):>3}:{seconds:04.1f}  {cue.kind:<13} {cue.text}{beeps}")
    click.echo(f"{len(said)} cues")


@click.command()
@click.argument("profile")
@click.option("--json", "as_json", is_flag=True, help="Print the plan (or the cues) as JSON.")
@click.option(
    "--cues",
    is_flag=True,
    help="Print what a session says and when, with the config's [cues] settings.",
)
@click.option("--rehearse", is_flag=True, help="The rehearsal's plan: every speed at most 3 km/h.")
@config_option
def plan(
    profile: str,
    as_json: bool,  # noqa: FBT001
    cues: bool,  # noqa: FBT001
    rehearse: bool,  # noqa: FBT001
    config_path: Path | None,
) -> None:
    """Show the timeline PROFILE compiles to (a file or a bundled profile's name)."""
    config = _config(config_path)
    document = _load(profile)
    if rehearse:
        from retrorun.profiles.rehearsal import rehearsal  # noqa: PLC0415

        document = dataclasses.replace(document, profile=rehearsal(document.profile).profile)
    compiled = _compile(document, config)
    if cues:
        _print_cues(compiled, config, as_json=as_json)
    elif as_json:
        click.echo(json.dumps(compiled.to_json(), indent=2))
    else:
        _print_plan(compiled, config.units)


def _remarks(document: ProfileDocument, compiled: Plan, config: Config) -> None:
    """What `validate` says of a valid profile: warnings (allowed, but probably a mistake)
    on stderr, and a note on how it ends when it ends backward."""
    from retrorun.profiles.heart_zones import NO_ZONES, step_needing_zones  # noqa: PLC0415
    from retrorun.profiles.plan import finish_note  # noqa: PLC0415
    from retrorun.profiles.safety import plausibility_warnings  # noqa: PLC0415

    for path, message in plausibility_warnings(document.profile):
        click.echo(f"warning: {document.error(message, path)}", err=True)
    needs = step_needing_zones(document.profile)
    if needs is not None and config.heart_rate_zones is None:
        click.echo(f"warning: {document.error(NO_ZONES, needs)}", err=True)
    note = finish_note(document.profile, compiled.limits)
    if note is not None:
        click.echo(f"note: {document.error(note[1], note[0])}")


@click.command()
@click.argument("profiles", nargs=-1)
@config_option
def validate(profiles: tuple[str, ...], config_path: Path | None) -> int:
    """Check PROFILES (default: every profile in your folder); one line per problem, exit 2
    when any profile has one. Warnings (allowed, but probably a mistake) do not fail."""
    from retrorun.errors import ProfileError, ProfileErrors  # noqa: PLC0415
    from retrorun.profiles import library  # noqa: PLC0415
    from retrorun.profiles.quantities import format_duration  # noqa: PLC0415

    config = _config(config_path)
    if not profiles:
        profiles = tuple(str(path) for path in library.profile_files(library.user_dir()))
        if not profiles:
            click.echo(f"no profiles of yours in {library.user_dir()}")
            return 0
    failed = False
    for argument in profiles:
        try:
            document = _load(argument)
            compiled = _compile(document, config)
            _remarks(document, compiled, config)
        except ProfileErrors as exc:
            failed = True
            for problem in exc.problems:
                click.echo(str(problem), err=True)
        except ProfileError as exc:
            failed = True
            click.echo(str(exc), err=True)
        else:
            click.echo(
                f"ok {argument}: {compiled.name} ({format_duration(compiled.total_duration_s)}, "
                f"{compiled.turns} turns)"
            )
    return EXIT_BAD_INPUT if failed else 0


@click.command(name="profiles")
@config_option
def list_profiles(config_path: Path | None) -> None:
    """List bundled profiles and those in your profile folder."""
    from retrorun.errors import ProfileError  # noqa: PLC0415
    from retrorun.profiles import library  # noqa: PLC0415
    from retrorun.profiles.loader import load_profile  # noqa: PLC0415
    from retrorun.profiles.quantities import format_duration  # noqa: PLC0415

    config = _config(config_path)
    user = library.user_dir()
    mine = {path.stem for path in library.profile_files(user)}
    for title, folder in (("bundled", library.bundled_dir()), (f"yours ({user})", user)):
        click.echo(f"{title}:")
        files = library.profile_files(folder)
        if not files:
            click.echo("  (none)")
        for path in files:
            if folder != user and path.stem in mine:
                click.echo(f"  {path.stem:<32} hidden by yours of the same name")
                continue
            try:
                compiled = _compile(load_profile(path), config)
            except ProfileError as exc:
                first = str(exc).splitlines()[0]
                click.echo(f"  {path.stem:<32} invalid: {first}")
                continue
            click.echo(
                f"  {path.stem:<32} {format_duration(compiled.total_duration_s):>8}  "
                f"{compiled.backward_share:>4.0%} backward  {compiled.name}"
            )


@click.command(name="import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--pace",
    "paces",
    multiple=True,
    metavar="PACE",
    help="Reference pace for .zwo files: '5:00/km' for all, or per reference like "
    "'5k=5:00/km' (mile, 5k, 10k, half, marathon). Repeatable; replaces the config's "
    "[runner] paces.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the profile here instead of printing it.",
)
@config_option
def import_workout(
    file: Path, paces: tuple[str, ...], output: Path | None, config_path: Path | None
) -> None:
    """Turn a FIT workout, a Zwift run workout (.zwo) or a QZ XML program into a profile."""
    from retrorun.profiles.importers import import_file  # noqa: PLC0415

    location = "--pace"
    if not paces:
        from retrorun.config import load_config  # noqa: PLC0415

        config = load_config(config_path)
        paces, location = config.paces, config.where("runner", "paces")
    text, notes = import_file(file, paces, location)
    for note in notes:
        click.echo(f"note: {file}: {note}", err=True)
    if output is None:
        click.echo(text, nl=False)
    else:
        from retrorun.errors import InputError  # noqa: PLC0415

        try:
            output.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise InputError(f"cannot write: {exc.strerror or exc}", location=str(output)) from exc
        click.echo(f"wrote {output}")
