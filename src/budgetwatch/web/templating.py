"""The Jinja environment and `render`: pages import it from here, the app factory too (no circle
through app.py)."""

from __future__ import annotations

from pathlib import Path

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from ..checks.rule import fmt_amount

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=str(HERE / "templates"))


def fmt(v) -> str:
    """An amount as printed (thousands separated, at least two decimals) from a float, Decimal or the JSON's string."""
    return fmt_amount(None if v is None or v == "" else float(v))


templates.env.globals["fmt"] = fmt


def render(request: Request, name: str, ctx: dict, status: int = 200) -> HTMLResponse:
    return templates.TemplateResponse(request, name, ctx, status_code=status)
