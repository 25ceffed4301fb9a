"""Domain errors. Each message names the file, column or parameter at fault."""


class RecUnlearnError(Exception):
    """Base class of the project's own errors."""


class DataValidationError(RecUnlearnError, ValueError):
    """Input data is malformed: a missing column, a non-numeric value, an empty set."""


class ParameterError(RecUnlearnError, ValueError):
    """A parameter is outside its allowed range or names something unknown."""


class DatasetUnavailableError(RecUnlearnError, FileNotFoundError):
    """A raw file is absent and could not be downloaded."""
