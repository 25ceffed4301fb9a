"""Project CLI: Kedro's ``run``, with a short message for a user error.

Kedro loads ``<package>.cli.cli`` and lets its commands override the built-in ones
(``python -m recunlearn`` finds the same ``run``). ``kedro run`` here takes Kedro's
options unchanged; on a user error (a bad parameter, a malformed or missing raw file:
any :class:`~recunlearn.errors.RecUnlearnError`, also when Kedro wraps it in its own
error; an unknown ``--namespaces`` value, listing the valid ones) it prints the message to stderr and exits with status 1, without the traceback.
``--verbose`` / ``-v`` re-raises instead, so Kedro shows the full traceback; the
traceback is also written to ``errors.log`` where ``conf/logging.yml`` gives the
``recunlearn.failures`` logger a handler. Any other exception (a bug) is left alone.
Ctrl-C stops a run with one line (:data:`INTERRUPTED`) and exit status 130, not a
traceback. A run that ends well says where its full log is (``conf/logging.yml`` sends INFO
records to ``info.log``; the terminal shows warnings only).
"""

from __future__ import annotations

import functools
import logging
import sys
from collections.abc import Callable
from typing import Any

import click
from kedro.framework.cli.project import run as kedro_run
from kedro.framework.project import pipelines

from recunlearn.errors import RecUnlearnError
from recunlearn.run_options import check_namespaces

failure_log = logging.getLogger("recunlearn.failures")
INTERRUPTED = (
    "Interrupted (Ctrl-C): the run stopped; the nodes that had finished kept their outputs."
)


def user_error(error: BaseException) -> RecUnlearnError | None:
    """The project's own error in ``error``'s chain of explicit causes, if any."""
    current, seen = error, set()
    while current is not None and id(current) not in seen:
        if isinstance(current, RecUnlearnError):
            return current
        seen.add(id(current))
        current = current.__cause__
    return None


def report_user_error(error: BaseException, cause: RecUnlearnError) -> None:
    """The short message on stderr; the traceback to the failure log, if it has a handler."""
    if failure_log.handlers:
        failure_log.error("kedro run stopped: %s", cause, exc_info=error)
    click.secho(f"Error: {cause}", err=True, fg="red")
    click.echo("(run with --verbose for the full traceback)", err=True)


def full_log_files() -> list[str]:
    """The files the root logger writes INFO records to (``info.log`` by default)."""
    return [
        handler.baseFilename
        for handler in logging.getLogger().handlers
        if isinstance(handler, logging.FileHandler) and handler.level <= logging.INFO
    ]


def run_option_error(options: dict[str, Any]) -> RecUnlearnError | None:
    """An unknown ``--namespaces`` value among ``options``, as a one-line user error.

    Kedro filters the pipeline by namespace before any hook sees the run; when that
    failed, the pipelines it loaded (with the environment's grid) say which namespaces
    exist. None when every requested namespace exists (the failure was another one).
    """
    requested = options.get("namespaces") or []
    names = [options["pipeline"]] if options.get("pipeline") else options.get("pipelines")
    if not requested:
        return None
    try:
        nodes = [node for name in names or ["__default__"] for node in pipelines[name].nodes]
        check_namespaces(requested, [node.namespace for node in nodes])
    except KeyError:  # an unknown pipeline: Kedro's own message says so
        return None
    except RecUnlearnError as error:
        return error
    return None


def short_user_errors(callback: Callable[..., Any]) -> Callable[..., Any]:
    """``callback`` taking one more option, ``verbose``, and exiting 1 on a user error."""

    @functools.wraps(callback)
    def wrapper(*args: Any, verbose: bool = False, **kwargs: Any) -> Any:
        try:
            result = callback(*args, **kwargs)
        except KeyboardInterrupt:
            click.secho(INTERRUPTED, err=True, fg="yellow")
            sys.exit(130)
        except Exception as error:
            cause = user_error(error) or run_option_error(kwargs)
            if cause is None or verbose:
                raise
            report_user_error(error, cause)
            sys.exit(1)
        for path in full_log_files():
            click.echo(f"Full log: {path}")
        return result

    return wrapper


VERBOSE = click.Option(
    ["--verbose", "-v"], is_flag=True, help="Show the full traceback of a user error."
)

run = click.Command(
    name="run",
    callback=short_user_errors(kedro_run.callback),
    params=[*kedro_run.params, VERBOSE],
    help=kedro_run.help,
    context_settings=kedro_run.context_settings,
)


@click.group(name="recunlearn")
def cli() -> None:
    """recunlearn's project commands (they override Kedro's built-in ones)."""


cli.add_command(run)
