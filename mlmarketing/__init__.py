"""mlmarketing: the helper library of the course "Marketing et Machine Learning".

Importing the package changes nothing global: a notebook opts in to the course's
display settings with :func:`setup_notebook`.

>>> import mlmarketing
>>> mlmarketing.list_datasets()["name"].tolist()[:1]
['customers']
"""

from mlmarketing._errors import DataError, DataWarning
from mlmarketing._validation import read_dates, read_yes_no
from mlmarketing.data import list_datasets, load_dataset, read_table
from mlmarketing.notebook import setup_notebook

__version__ = "0.1.0"

__all__ = [
    "DataError", "DataWarning", "list_datasets", "load_dataset", "read_dates", "read_table", "read_yes_no",
    "setup_notebook",
]
