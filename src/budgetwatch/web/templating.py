"""The Jinja environment and `render`: pages import it from here, the app factory too (no circle
through app.py)."""

from __future__ import annotations

from pathlib import Path

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from ..checks.rule import fmt_amount

HERE = Path(__file__).parent
_DICT_ATTRIBUTES = frozenset(dir(dict))


class PageEnvironment(jinja2.Environment):
    """Jinja's environment, with `d.unit` on a plain dict (the pages' data are dicts) looked up as the item
    straight away: Jinja tries the attribute first, and the AttributeError raised and caught for every such
    lookup was a fifth of rendering a list. The answer is Jinja's own: a dict's methods (`d.items`) stay
    methods, and a name that is neither attribute nor key is undefined as before."""

    def getattr(self, obj, attribute):
        if type(obj) is dict and attribute not in _DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except KeyError:
                pass
        return super().getattr(obj, attribute)


templates = Jinja2Templates(
    env=PageEnvironment(loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True)  # as Starlette sets it
)


def fmt(v) -> str:
    """An amount as printed (thousands separated, at least two decimals) from a float, Decimal or the JSON's string."""
    return fmt_amount(None if v is None or v == "" else float(v))


templates.env.globals["fmt"] = fmt


def render(request: Request, name: str, ctx: dict, status: int = 200) -> HTMLResponse:
    return templates.TemplateResponse(request, name, ctx, status_code=status)
