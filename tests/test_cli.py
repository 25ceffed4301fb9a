"""The project's ``kedro run``: a user error is one short message and exit status 1."""

from __future__ import annotations

import click
from click.testing import CliRunner
from kedro.io import DatasetError

from recunlearn.cli import INTERRUPTED, VERBOSE, cli, short_user_errors, user_error
from recunlearn.errors import DataValidationError, ParameterError


def wrapped(error: Exception) -> Exception:
    """``error`` raised ``from`` inside Kedro's dataset error, as a failing load is."""
    try:
        try:
            raise error
        except Exception as cause:
            raise DatasetError("raw_ratings: Failed while loading data") from cause
    except DatasetError as outer:
        return outer


def failing_command(error: Exception) -> click.Command:
    def fail() -> None:
        raise error

    return click.Command("run", callback=short_user_errors(fail), params=[VERBOSE])


def test_the_project_overrides_kedros_run_and_keeps_its_options():
    names = {param.name for param in cli.commands["run"].params}
    assert {"pipelines", "params", "env", "namespaces", "verbose"} <= names


def test_the_users_error_is_found_behind_kedros_wrapper():
    cause = DataValidationError("ratings.dat: the file is empty")
    assert user_error(wrapped(cause)) is cause
    assert user_error(wrapped(RuntimeError("a bug"))) is None


def test_a_user_error_is_one_short_message_and_exit_code_1():
    result = CliRunner().invoke(failing_command(wrapped(ParameterError("invalid parameter x"))))
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "Error: invalid parameter x",
        "(run with --verbose for the full traceback)",
    ]


def test_verbose_lets_the_traceback_through():
    error = ParameterError("invalid parameter x")
    result = CliRunner().invoke(failing_command(error), ["--verbose"])
    assert result.exception is error and result.exit_code == 1


def test_a_bug_is_not_disguised_as_a_user_error():
    error = RuntimeError("a bug")
    result = CliRunner().invoke(failing_command(error))
    assert result.exception is error and "Error:" not in result.output


def test_ctrl_c_is_one_line_saying_the_run_was_interrupted_and_exit_code_130():
    result = CliRunner().invoke(failing_command(KeyboardInterrupt()))
    assert result.exit_code == 130
    assert result.output.splitlines() == [INTERRUPTED]
