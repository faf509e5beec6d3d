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


class DataWarning(UserWarning):
    """Something a helper did to the data that the user must know: rows left out, a date order.

    The helpers never leave out rows or guess silently: they say it with this warning, which a
    notebook shows under the cell.

    Examples
    --------
    >>> import warnings
    >>> from mlmarketing import DataWarning
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     warnings.warn("3 of 100 rows left out: no date", DataWarning)
    >>> caught[0].category.__name__
    'DataWarning'
    """


DataWarning.__module__ = "mlmarketing"
