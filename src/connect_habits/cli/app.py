"""The Typer app, made from the commands' declarations (spec.py): help, completion and every usage error.

The fast path (entry.py) runs the plain command lines of the everyday commands without this module;
everything else comes here. Importing it imports every command module, so each declares its commands.
"""

from __future__ import annotations

import inspect
import sys
from pathlib import Path
from typing import List, Optional

import click
import typer

from . import commands  # noqa: F401  (every command module, so each declares its commands)
from .charset import ascii_streams
from .output import ABORTED, echo, exit_after, printable
from .spec import COMMANDS, FLAG, GROUPS, MANY, TEXT, Argument, Command

HELP = "Small rituals, repeated on purpose: a habit tracker for two."
# `connect --help` lists the commands under these headings, by the module that declares them.
PANELS = {
    "everyday": "Every day",
    "firstrun": "Getting started",
    "habits": "Habits",
    "log": "The log",
    "reminders": "Reminders",
    "rituals": "Rituals for two",
    "talk": "Rituals for two",
    "sharing": "Two machines",
    "transfer": "Backups and other trackers",
    "partners": "The two of you",
    "settings": "The two of you",
    "today": "Every day",
    "ask": "Every day",
    "completion": "Getting started",
}
GROUP_PANELS = {
    "daemon": "reminders",
    "sync": "sharing",
    "partners": "partners",
    "config": "settings",
    "completion": "completion",
}


def build_app() -> typer.Typer:
    """A Typer app with every declared command, in its group."""
    app = typer.Typer(
        name="connect", help=HELP, no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False
    )
    app.callback()(_root)
    defaults = {spec.group: spec for spec in COMMANDS if spec.group and not spec.name}
    groups = {}
    for name, text in GROUPS.items():
        default = defaults.get(name)
        groups[name] = typer.Typer(
            help=text, no_args_is_help=default is None, invoke_without_command=default is not None
        )
        if default is not None:
            groups[name].callback()(typer_function(default, group_default=True))
        app.add_typer(groups[name], name=name, rich_help_panel=PANELS[GROUP_PANELS[name]])
    for spec in COMMANDS:
        if spec.group and not spec.name:
            continue
        panel = PANELS.get(spec.function.__module__.rsplit(".", 1)[-1])
        (groups[spec.group] if spec.group else app).command(spec.name, rich_help_panel=panel)(typer_function(spec))
    return app


def _show_version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            echo(f"connect {version('connect-habits')}")
        except PackageNotFoundError:
            echo("connect (not installed as a package)")
        raise typer.Exit()


def _root(
    show_version: bool = typer.Option(
        False, "--version", help="Print connect's version and exit.", is_eager=True, callback=_show_version
    ),
) -> None:
    pass


def typer_function(spec: Command, group_default: bool = False):
    """A function whose signature tells Typer the command's arguments and options, and that runs the command.

    `group_default`: the group's callback, which runs only when no subcommand follows (`connect partners`).
    """
    parameters = [
        inspect.Parameter(
            p.param, inspect.Parameter.POSITIONAL_OR_KEYWORD, default=_parameter(p), annotation=_annotation(p)
        )
        for p in spec.params
    ]
    if group_default:
        context = inspect.Parameter("context", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=typer.Context)
        parameters.insert(0, context)

    def run(context: typer.Context | None = None, **params):
        if context is not None and context.invoked_subcommand is not None:
            return None
        return spec.function(**params)

    run.__name__ = spec.function.__name__
    run.connect_spec = spec  # type: ignore[attr-defined]
    run.__doc__ = spec.function.__doc__
    run.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    run.__annotations__ = {p.name: p.annotation for p in parameters}
    return run


def _parameter(param):
    default = ... if param.required else param.default
    if isinstance(param, Argument):
        return typer.Argument(default, help=param.help, show_default=False)
    bounds = {}
    if isinstance(param.kind, tuple):
        _, low, high = param.kind
        bounds = {"min": low, "max": high}
    return typer.Option(default, *param.flags, help=param.help, **bounds)


def _annotation(param):
    kind = getattr(param, "kind", TEXT)
    if kind == FLAG:
        return bool
    if kind == MANY:
        return Optional[List[str]]
    base = int if isinstance(kind, tuple) else str
    return Optional[base] if param.default is None and not param.required else base


def main(argv: list[str] | None = None, help_file: Path | None = None) -> None:
    """Run the Typer CLI: user errors become one sentence on stderr and an exit code, never a traceback.

    `help_file`: where to keep the help this prints, for the next time (helpcache.py).
    """
    ascii_streams()
    if help_file is None:
        exit_after(lambda: _run(argv))
        return
    from .helpcache import Recorder, keep

    recorder = Recorder(sys.stdout)

    def run() -> int:
        sys.stdout = recorder
        try:
            code = _run(argv)
        finally:
            sys.stdout = recorder.wrapped
        if code == 0:
            keep(help_file, "".join(recorder.written))
        return code

    exit_after(run)


def _run(argv: list[str] | None) -> int:
    """The Typer app on `argv`; a command-line mistake is one sentence on stderr and its exit code."""
    command = typer.main.get_command(build_app())
    _restore_argument_help(command)
    try:
        result = command.main(args=argv, prog_name="connect", standalone_mode=False)
    except click.exceptions.NoArgsIsHelpError:
        return 0  # bare `connect` (or a bare group): the help was shown, and that is all that was asked
    except click.ClickException as error:
        hint = ""
        if isinstance(error, click.UsageError) and error.ctx is not None:
            hint = f" See `{error.ctx.command_path} --help`."
        message = printable(_once(error.format_message()))
        if hint and not message.endswith((".", "?", "!")):
            message += "."  # click's "Got unexpected extra argument (x)" ends without one, before our hint
        echo(f"Error: {message}{hint}", err=True)
        return error.exit_code
    except click.exceptions.Abort:
        echo(ABORTED, err=True)
        return 1
    return result if isinstance(result, int) else 0


def _restore_argument_help(command: click.Command) -> None:
    """Give each argument its help again: newer click releases drop the help Typer sets on an argument."""
    spec = getattr(getattr(command, "callback", None), "connect_spec", None)
    if spec is not None:
        helps = {p.param: p.help for p in spec.params if isinstance(p, Argument)}
        for param in command.params:
            if isinstance(param, click.Argument) and not getattr(param, "help", None) and param.name in helps:
                param.help = helps[param.name]
    for sub in getattr(command, "commands", {}).values():
        _restore_argument_help(sub)


def _once(message: str) -> str:
    """The message with a suggestion said twice said once (click and Typer both suggest a command)."""
    import re

    message = re.sub(r"(Did you mean [^?]*\?)(?:\.?\s*\1)+", r"\1", message)
    # Several suggestions: click's "Did you mean 'a', 'b'?" then Typer's "(Did you mean one of: 'a', 'b'?)".
    return re.sub(r"(Did you mean ([^?]*)\?)\s*\(Did you mean one of: \2\?\)", r"\1", message)
