"""The participant's client: a command line (``bounty``) and a notebook API. No Django here.

In a notebook::

    import bounty_client as bc

    s = bc.connect("https://bounty.example.org")       # the token ``bounty login`` stored
    train = s.download("adult-income")                  # a DataFrame
    result = s.check("adult-income", group="age >= 60", model=fitted_estimator)
    bc.export_model(fitted_estimator, "h.skops", train=train, schema=s.schema("adult-income"))
    s.submit("adult-income", group="age >= 60", model="h.skops", wait=True)

Modules: ``api`` (the REST client), ``config`` (token storage), ``local`` (the server's check on the
public train split), ``export`` (saving models), ``session`` (this facade), ``cli`` / ``commands``.
"""

from bounty_client.api import Client, ClientError
from bounty_client.export import check_model_file, export_model
from bounty_client.local import LocalCheck, check_locally, error_by_group, read_train_csv
from bounty_client.session import Session, connect

__all__ = [
    "Client",
    "ClientError",
    "LocalCheck",
    "Session",
    "check_locally",
    "check_model_file",
    "connect",
    "error_by_group",
    "export_model",
    "read_train_csv",
]
