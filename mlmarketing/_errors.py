"""The one error type that the helpers raise for bad input."""


class DataError(ValueError):
    """Input data that a helper cannot use, with what to do about it.

    Every helper of the kit checks its input at the boundary and raises this error
    with a message that names the column, value or file at fault and says how to fix it.
    It subclasses :class:`ValueError`, so ``except ValueError`` also catches it.

    Examples
    --------
    >>> from mlmarketing import DataError
    >>> raise DataError("column 'age' is missing: pass the name of your age column")
    Traceback (most recent call last):
    ...
    mlmarketing.DataError: column 'age' is missing: pass the name of your age column
    """


# Shown as ``mlmarketing.DataError`` in tracebacks, the name students import.
DataError.__module__ = "mlmarketing"
