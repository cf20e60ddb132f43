"""Thresholds in force for a rule in a region: the rule's defaults (its @rule metadata), overridden by a settings
file, then by the rule_settings table an administrator edits.

The file is TOML (stdlib tomllib): $BUDGETWATCH_SETTINGS, else ./budgetwatch.toml when present:

    [rules.G01]                 # every region
    warn_pp = 0.10
    [regions.141123000.rules.G01]
    warn_pp = 0.20

A value keeps the type of its default (a number stays a number, a list of codes a list).
"""

from __future__ import annotations

import json
import os
import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection

from ..checks import rule as _rule_registry
from ..store.schema import table_of
from .model import RuleSetting

ALL_REGIONS = "*"


class BadSetting(ValueError):
    pass


def settings_path() -> Path | None:
    env = os.environ.get("BUDGETWATCH_SETTINGS")
    if env:
        return Path(env)
    here = Path("budgetwatch.toml")
    return here if here.is_file() else None


@lru_cache(maxsize=8)
def _file(path: str, mtime: float) -> dict:
    try:
        return tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise BadSetting(f"{path}: cannot read the settings file: {e}") from None


def file_settings() -> dict:
    p = settings_path()
    if p is None:
        return {}
    if not p.is_file():
        raise BadSetting(f"{p}: settings file not found ($BUDGETWATCH_SETTINGS)")
    return _file(str(p), p.stat().st_mtime)


def _typed(rule: str, key: str, value: Any, default: Any) -> Any:
    if default is None or value is None:
        return value
    try:
        if isinstance(default, bool):
            return bool(value)
        if isinstance(default, (int, float)) and not isinstance(value, (int, float)):
            return type(default)(value)
        if isinstance(default, (list, tuple)) and not isinstance(value, (list, tuple)):
            return [x.strip() for x in str(value).split(",") if x.strip()]
    except (TypeError, ValueError):
        raise BadSetting(f"{rule}.{key} = {value!r}: not a {type(default).__name__}") from None
    return value


def thresholds(
    rule: str, region: str | None, conn: Connection | None = None, table: dict | None = None
) -> dict[str, Any]:
    """The thresholds in force; `table` (from table_settings) saves a query per rule."""
    defaults = _rule_registry.RULES[rule].thresholds
    out = dict(defaults)
    f = file_settings()
    layers = [f.get("rules", {}).get(rule, {})]
    if region:
        layers.append(f.get("regions", {}).get(region, {}).get("rules", {}).get(rule, {}))
    if table is None and conn is not None:
        table = table_settings(conn, region)
    if table:
        layers += [table.get((ALL_REGIONS, rule), {}), table.get((region, rule), {})]
    for layer in layers:
        for k, v in layer.items():
            if k not in defaults:
                raise BadSetting(f"{rule}: no threshold named {k} (known: {', '.join(defaults)})")
            out[k] = _typed(rule, k, v, defaults[k])
    return out


def table_settings(conn: Connection, region: str | None) -> dict[tuple[str, str], dict]:
    t = RuleSetting.__table__
    q = select(t.c.region_code, t.c.rule, t.c.key, t.c.value).where(
        t.c.region_code.in_([ALL_REGIONS] + ([region] if region else []))
    )
    out: dict[tuple[str, str], dict] = {}
    for r in conn.execute(q):
        out.setdefault((r.region_code, r.rule), {})[r.key] = json.loads(r.value)
    return out


def set_threshold(conn: Connection, region: str, rule: str, key: str, value: Any, by: str | None = None) -> None:
    """An administrator's override (region '*' = every region); checked against the rule's thresholds."""
    if rule not in _rule_registry.RULES or key not in _rule_registry.RULES[rule].thresholds:
        raise BadSetting(f"{rule}.{key}: no such threshold")
    value = _typed(rule, key, value, _rule_registry.RULES[rule].thresholds[key])
    t = table_of(RuleSetting)
    conn.execute(t.delete().where(t.c.region_code == region, t.c.rule == rule, t.c.key == key))
    conn.execute(t.insert().values(region_code=region, rule=rule, key=key, value=json.dumps(value), updated_by=by))


def effective_thresholds(region: str | None = None, engine=None) -> dict[str, dict]:
    """Every rule's thresholds in force (rules without thresholds omitted), for the catalogue page."""
    table = None
    if engine is not None:
        with engine.connect() as c:
            table = table_settings(c, region)
    out = {}
    for rid, r in _rule_registry.RULES.items():
        if r.thresholds:
            try:
                out[rid] = thresholds(rid, region, table=table or {})
            except BadSetting as e:
                out[rid] = {"error": str(e)}
    return out
