"""The `budgetwatch` command. The root app (common.py) takes the commands on documents (documents.py) and the
groups: feed (the 联网 data), exec (执行监控, family G), user, token and audit (access/)."""

from __future__ import annotations

from . import documents  # noqa: F401  (its commands register on the root app, in the order of the help)
from .access import audit_app, token_app, user_app
from .common import app
from .execution import app as exec_app
from .feed import app as feed_app

app.add_typer(feed_app, name="feed")
app.add_typer(exec_app, name="exec")
app.add_typer(user_app, name="user")
app.add_typer(token_app, name="token")
app.add_typer(audit_app, name="audit")

__all__ = ["app"]
