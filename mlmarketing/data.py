"""The course datasets, and a robust reader for a class's own files.

- :func:`list_datasets` and :func:`load_dataset` give the datasets shipped with the kit, by
  short name, with documented column types (dates parsed, categories as categories, ids as
  text). Each dataset is described in ``datasets/README.md`` (the data card).
- :func:`read_table` reads a user's CSV or Excel export (see its docstring for what it handles).

The files are found from the package itself: inside an installed wheel they sit in
``mlmarketing/datasets``; in a clone of the repository, in ``datasets/`` at its top.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import pandas as pd

from mlmarketing._errors import DataError
from mlmarketing._read_table import read_table

__all__ = ["Dataset", "dataset_dir", "dataset_path", "list_datasets", "load_dataset", "read_table"]

# Column kinds of the registry, and the pandas dtype each one loads as.
KINDS = {
    "id": "str",  # identifiers: text, so that "00123" keeps its zeros
    "category": "category",
    "text": "str",
    "date": "datetime64[ns]",
    "datetime": "datetime64[ns]",
    "int": "int64",  # no missing values allowed
    "Int": "Int64",  # integers with missing values
    "float": "float64",
    "bool": "bool",  # stored as 0/1
}


@dataclass(frozen=True)
class Dataset:
    """One shipped dataset: its file, its columns with their kinds, and what it is for."""

    name: str
    file: str
    description: str
    columns: dict[str, str]
    notebook: str
    source: str = "simulated by mlmarketing.simulate"
    read_options: dict = field(default_factory=dict)

    def dtypes(self) -> dict[str, str]:
        """The pandas dtype of each column once loaded."""
        return {column: KINDS[kind] for column, kind in self.columns.items()}


_REGISTRY: dict[str, Dataset] = {
    d.name: d
    for d in [
        Dataset(
            name="customers",
            file="00-Customers.csv",
            description=(
                "2,000 customers of an online shop: web behaviour over 90 days and whether "
                "they bought during the last campaign. The course map's small example table."
            ),
            columns={
                "customer_id": "id",
                "age": "int",
                "device": "category",
                "visits_90d": "int",
                "minutes_on_site_90d": "float",
                "pages_per_visit": "float",
                "add_to_cart_90d": "int",
                "newsletter": "bool",
                "days_since_last_visit": "int",
                "bought": "bool",
            },
            notebook="00-course-map.ipynb",
        ),
        Dataset(
            name="cloud_services",
            file="03-02-Cloud-Services.csv",
            description=(
                "3,000 accounts of a B2B cloud-software company (SaaS), signed up 2021-2024: plan, "
                "seats, billing, onboarding usage, support tickets, NPS, and the end date of those "
                "who cancelled before the extraction date (31 December 2024)."
            ),
            columns={
                "account_id": "id",
                "signup_date": "date",
                "plan": "category",
                "seats": "int",
                "billing_cycle": "category",
                "monthly_price": "float",
                "industry": "category",
                "active_user_share": "float",
                "logins_per_user_week": "float",
                "features_adopted": "int",
                "support_tickets_90d": "int",
                "nps": "Int",
                "end_date": "date",
                "churned": "bool",
            },
            notebook="03-02-cloud-services-churn.ipynb",
        ),
        Dataset(
            name="media",
            file="01-04-Media.csv",
            description=(
                "A brand's media plan over 104 weeks in 8 channels (search, social, display, "
                "online video, email, TV, radio, out-of-home): weekly spend, impressions, reach, "
                "clicks, platform-reported conversions and revenue, and the week's true totals."
            ),
            columns={
                "week": "date",
                "channel": "category",
                "spend": "float",
                "impressions": "int",
                "reach": "Int",
                "clicks": "Int",
                "reported_conversions": "int",
                "reported_revenue": "float",
                "total_conversions": "int",
                "total_revenue": "float",
                "season": "category",
                "promotion": "bool",
            },
            notebook="01-04-media-planning.ipynb",
        ),
        Dataset(
            name="transactions",
            file="04-01-Transactions.csv",
            description=(
                "About two years of purchases of 2,500 customers of an online shop: date, amount, "
                "product family and channel. Purchases follow a planted BG/NBD process and "
                "amounts a planted Gamma-Gamma model."
            ),
            columns={
                "customer_id": "id",
                "date": "date",
                "amount": "float",
                "product_family": "category",
                "channel": "category",
            },
            notebook="04-01-customer-value.ipynb",
        ),
        Dataset(
            name="cdnow",
            file="04-01-CDNOW-sample.csv",
            description=(
                "Real data: the CDNOW sample of Fader and Hardie, every purchase from January 1997 "
                "to June 1998 of 2,357 customers of an online music shop who first bought in the "
                "first quarter of 1997 (the data of the original BG/NBD paper)."
            ),
            columns={
                "customer_id": "id",
                "master_id": "id",
                "date": "date",
                "cds": "int",
                "amount": "float",
            },
            notebook="04-01-customer-value.ipynb",
            source=(
                "real data: CDNOW sample of Fader & Hardie, as distributed in the lifetimes "
                "0.11.3 wheel (MIT)"
            ),
        ),
        Dataset(
            name="demand",
            file="02-02-Demand.csv",
            description=(
                "Five years of weekly sales of a French retailer's product family, with price, "
                "promotions, ad spend, public holidays, sales periods (soldes), the Christmas "
                "season and a few stock-outs."
            ),
            columns={
                "week": "date",
                "units_sold": "int",
                "price_eur": "float",
                "promo": "bool",
                "ad_spend_eur": "float",
                "public_holidays": "int",
                "soldes": "bool",
                "christmas_season": "bool",
                "stock_out": "bool",
            },
            notebook="02-02-demand-forecasting.ipynb",
        ),
        Dataset(
            name="campaign",
            file="04-02-Campaign.csv",
            description=(
                "A bank's e-mail A/B test: 1,000 e-mails, 200 for each of five creatives, with "
                "delivery, open, click and purchase times, amount, unsubscribes and 3-month repeat."
            ),
            columns={
                "email_id": "id",
                "customer_id": "id",
                "segment": "category",
                "creative": "category",
                "colour": "category",
                "tone": "category",
                "image": "category",
                "sent_at": "datetime",
                "delivered": "bool",
                "opened_at": "datetime",
                "clicked_at": "datetime",
                "purchased_at": "datetime",
                "amount": "float",
                "unsubscribed": "bool",
                "repeat_3m": "Int",
            },
            notebook="04-02-campaign-ab-test.ipynb",
        ),
        Dataset(
            name="target",
            file="01-02-Target.csv",
            description=(
                "20,000 customers of an online shop: web behaviour over 90 days (sessions, time on "
                "site, pages, add-to-carts, cart abandonment), e-mail opens and clicks, orders and "
                "revenue over 12 months, region, and whether they bought in the last campaign."
            ),
            columns={
                "customer_id": "id",
                "age": "Int",
                "region_code": "category",
                "channel": "category",
                "newsletter": "bool",
                "sessions_90d": "int",
                "minutes_on_site_90d": "float",
                "pages_per_session": "float",
                "add_to_cart_90d": "int",
                "cart_abandonment_rate": "float",
                "email_opens_90d": "int",
                "email_clicks_90d": "int",
                "days_since_last_visit": "int",
                "orders_12m": "int",
                "revenue_12m": "float",
                "mobile_share": "float",
                "bought_last_campaign": "bool",
            },
            notebook="01-02-market-targeting.ipynb",
        ),
        Dataset(
            name="regions",
            file="01-02-Regions.csv",
            description=(
                "Statistics of the 13 regions of metropolitan France (income per capita, activity "
                "rate, population, consumer price index), to join to 01-02-Target.csv on region_code."
            ),
            columns={
                "region_code": "id",
                "region_name": "text",
                "income_per_capita": "int",
                "activity_rate": "float",
                "population": "int",
                "consumer_price_index": "float",
            },
            notebook="01-02-market-targeting.ipynb",
        ),
        Dataset(
            name="messages",
            file="03-01-Messages.csv",
            description=(
                "About 4,100 customer messages (chat, e-mail, store reviews) to a French online shop, "
                "January-June 2024, in French as customers write it (typos, abbreviations, missing "
                "accents), with their intent, sentiment, whether a human had to step in, and whether "
                "the customer left within 90 days."
            ),
            columns={
                "message_id": "id",
                "date": "date",
                "channel": "category",
                "text": "text",
                "intent": "category",
                "sentiment": "category",
                "human_needed": "bool",
                "churned_90d": "bool",
            },
            notebook="03-01-customer-satisfaction.ipynb",
        ),
        Dataset(
            name="churn",
            file="02-04-chrun.csv",
            description=(
                "7,043 subscribers of a telecom operator: services, contract, bills, and whether "
                "they left (Churn). Same columns as the widely used telecom churn sample, "
                "TotalCharges stored as text (blank for brand-new customers) included."
            ),
            columns={
                "customerID": "id",
                "gender": "category",
                "SeniorCitizen": "int",
                "Partner": "category",
                "Dependents": "category",
                "tenure": "int",
                "PhoneService": "category",
                "MultipleLines": "category",
                "InternetService": "category",
                "OnlineSecurity": "category",
                "OnlineBackup": "category",
                "DeviceProtection": "category",
                "TechSupport": "category",
                "StreamingTV": "category",
                "StreamingMovies": "category",
                "Contract": "category",
                "PaperlessBilling": "category",
                "PaymentMethod": "category",
                "MonthlyCharges": "float",
                "TotalCharges": "text",
                "Churn": "category",
            },
            notebook="02-04-churn-prediction.ipynb",
        ),
        Dataset(
            name="purchases",
            file="03-03-Purchases.csv",
            description=(
                "A year (2024) of an online shop's order lines: about 23,000 purchases by 2,500 "
                "customers of a 1,000-product catalogue with a long tail, with category, price, "
                "margin and channel. Planted hidden tastes make 'who bought this also bought' real."
            ),
            columns={
                "customer_id": "id",
                "date": "date",
                "product_id": "id",
                "category": "category",
                "price": "float",
                "margin": "float",
                "channel": "category",
            },
            notebook="03-03-personalisation.ipynb",
        ),
        Dataset(
            name="posts",
            file="03-04-Posts.csv",
            description=(
                "2,000 social-media posts of a drinks brand's 12-week photo campaign (May-July 2024): date, "
                "region, image file (in 03-04-Posts/), likes, shares, comments and the image's visual style; "
                "600 labelled photos in 03-04-Photos/ (one subfolder per category) to train a classifier."
            ),
            columns={
                "post_id": "id",
                "date": "date",
                "campaign_week": "int",
                "region": "category",
                "image": "text",
                "likes": "int",
                "shares": "int",
                "comments": "int",
                "palette": "category",
                "setting": "category",
                "people": "bool",
            },
            notebook="03-04-image-recognition.ipynb",
        ),
        Dataset(
            name="products",
            file="03-03-Products.csv",
            description=(
                "The catalogue of the shop of 03-03-Purchases.csv: 1,000 products with category, "
                "price and unit margin, including those never sold."
            ),
            columns={
                "product_id": "id",
                "category": "category",
                "price": "float",
                "margin": "float",
            },
            notebook="03-03-personalisation.ipynb",
        ),
    ]
}


def dataset_dir() -> Path:
    """The folder that holds the shipped dataset files.

    >>> dataset_dir().name in {"datasets"}
    True
    """
    inside = resources.files("mlmarketing") / "datasets"
    if inside.is_dir():
        return Path(str(inside))
    # An editable install or a clone: the datasets sit beside the package, at the top.
    beside = Path(__file__).resolve().parent.parent / "datasets"
    if beside.is_dir():
        return beside
    raise DataError(
        "the course datasets were not found. Reinstall the kit (python course.py lab) or run "
        "'python -m mlmarketing.simulate' to write them again."
    )


def _lookup(name: str) -> Dataset:
    if not isinstance(name, str) or name not in _REGISTRY:
        close = difflib.get_close_matches(str(name), list(_REGISTRY), n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise DataError(
            f"no dataset named {name!r}.{hint} The datasets are: {', '.join(_REGISTRY)}. "
            "To read your own file, use mlmarketing.read_table(path)."
        )
    return _REGISTRY[name]


def dataset_path(name: str) -> Path:
    """Path of a shipped dataset's file, for example to open it in a spreadsheet.

    >>> dataset_path("customers").name
    '00-Customers.csv'
    """
    return dataset_dir() / _lookup(name).file


def list_datasets() -> pd.DataFrame:
    """The shipped datasets: short name, file, notebook that uses it, and description.

    >>> list_datasets().columns.tolist()
    ['name', 'file', 'notebook', 'n_columns', 'source', 'description']
    """
    return pd.DataFrame(
        [
            {
                "name": d.name,
                "file": d.file,
                "notebook": d.notebook,
                "n_columns": len(d.columns),
                "source": d.source,
                "description": d.description,
            }
            for d in _REGISTRY.values()
        ]
    )


def load_dataset(name: str) -> pd.DataFrame:
    """Load a shipped dataset by its short name, with its documented column types.

    Parameters
    ----------
    name : str
        Short name, as listed by :func:`list_datasets` (for example ``"customers"``).

    Returns
    -------
    pandas.DataFrame
        A fresh copy each call: changing it never changes the file or a later load.

    Examples
    --------
    >>> df = load_dataset("customers")
    >>> df["customer_id"].iloc[0], str(df["device"].dtype)
    ('C0001', 'category')
    """
    dataset = _lookup(name)
    path = dataset_dir() / dataset.file
    if not path.exists():
        raise DataError(
            f"the file of dataset {name!r} ({dataset.file}) is missing. Run "
            "'python -m mlmarketing.simulate' to write the datasets again."
        )
    kinds = dataset.columns
    read_dtypes = {c: "str" for c, k in kinds.items() if k in ("id", "text", "category")}
    frame = pd.read_csv(path, dtype=read_dtypes, keep_default_na=True, **dataset.read_options)
    if list(frame.columns) != list(kinds):
        raise DataError(
            f"{dataset.file} does not have the registered columns of dataset {name!r}. Run "
            "'python -m mlmarketing.simulate' to write the datasets again."
        )
    for column, kind in kinds.items():
        if kind in ("date", "datetime"):
            frame[column] = pd.to_datetime(frame[column], format="ISO8601").astype("datetime64[ns]")
        elif kind == "category":
            frame[column] = frame[column].astype("category")
        elif kind in ("int", "Int", "float", "bool"):
            frame[column] = frame[column].astype(KINDS[kind])
    return frame
