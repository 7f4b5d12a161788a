"""The command line: the composition root.

This package is the only place that wires the device layer, the session, the TUI, MQTT and
the simulator together. Each command lives in its own module and imports heavy libraries
(pydantic, bleak, textual, aiomqtt) inside the command body, so ``retrorun --help`` stays
instant.

Exit codes: 0 ok, 2 bad input (one line naming the place), 1 runtime failure.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, NoReturn

import click

from retrorun import __version__
from retrorun.errors import InputError, RetrorunError

if TYPE_CHECKING:
    from collections.abc import Sequence

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_BAD_INPUT = 2


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "-V", "--version", prog_name="retrorun")
def main() -> None:
    """Forward and backward interval workouts on a Bluetooth FTMS treadmill."""


# Command modules import only click at module level; they attach to the group above.
from retrorun.cli import export, profiles  # noqa: E402
from retrorun.cli.audit import audit  # noqa: E402
from retrorun.cli.bench import bench  # noqa: E402
from retrorun.cli.check import check  # noqa: E402
from retrorun.cli.doctor import doctor  # noqa: E402
from retrorun.cli.ftms import ftms  # noqa: E402
from retrorun.cli.history import history  # noqa: E402
from retrorun.cli.run import run as run_command  # noqa: E402
from retrorun.cli.scan import scan  # noqa: E402
from retrorun.cli.sim import sim  # noqa: E402
from retrorun.cli.sound import sound_check  # noqa: E402
from retrorun.cli.upload import upload  # noqa: E402
from retrorun.cli.watch import watch  # noqa: E402

for _command in (
    audit,
    bench,
    check,
    doctor,
    export.export,
    export.summary,
    export.workout,
    ftms,
    history,
    profiles.plan,
    profiles.validate,
    profiles.list_profiles,
    profiles.import_workout,
    run_command,
    scan,
    sim,
    sound_check,
    upload,
    watch,
):
    main.add_command(_command)


def run(argv: Sequence[str] | None = None) -> NoReturn:
    """Entry point: run the command line and exit with its code.

    User mistakes (`InputError`) become one line on stderr and exit code 2; other
    `RetrorunError`s become one line and exit code 1. Anything else is a bug and keeps
    its traceback.
    """
    try:
        result = main.main(
            args=list(argv) if argv is not None else None,
            prog_name="retrorun",
            standalone_mode=False,
        )
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.UsageError as exc:
        # One line naming the command and the option, like every other bad input.
        where = exc.ctx.command_path if exc.ctx is not None else "retrorun"
        hint = f" (see '{where} --help')" if exc.ctx is not None else ""
        click.echo(f"{where}: {exc.format_message()}{hint}", err=True)
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.Abort:
        click.echo("retrorun: aborted", err=True)
        sys.exit(EXIT_FAILURE)
    except InputError as exc:
        click.echo(f"retrorun: {exc}", err=True)
        sys.exit(EXIT_BAD_INPUT)
    except RetrorunError as exc:
        click.echo(f"retrorun: {exc}", err=True)
        sys.exit(EXIT_FAILURE)
    sys.exit(result if isinstance(result, int) else EXIT_OK)
