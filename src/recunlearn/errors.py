"""Domain errors. Each message names the file, column or parameter at fault."""


class RecUnlearnError(Exception):
    """Base class of the project's own errors."""


class DataValidationError(RecUnlearnError, ValueError):
    """Input data is malformed: a missing column, a non-numeric value, an empty set."""


class ParameterError(RecUnlearnError, ValueError):
    """A parameter is outside its allowed range or names something unknown."""


class DatasetUnavailableError(RecUnlearnError, FileNotFoundError):
    """A raw file is absent and could not be downloaded."""


LONG = 160
"""Characters from which :func:`brief` keeps only the first sentence."""


def brief(error: BaseException) -> str:
    """``error`` in one line: its type and its message's first line (the second too when
    the first only announces it, as torch's ``Error(s) in loading state_dict for ...:``),
    cut to its first sentence when longer than :data:`LONG` characters."""
    lines = [line.strip() for line in str(error).strip().splitlines() if line.strip()]
    text = " ".join(lines[:2]) if len(lines) > 1 and lines[0].endswith(":") else "".join(lines[:1])
    if len(text) > LONG:  # torch goes on for sentences after the first
        text = text.split(". ")[0]
    return f"{type(error).__name__}: {text}" if text else type(error).__name__
