"""One module per resource, each with its /api routes and its page together. Every module here that has
a `router` is served: a new page is its module, its template and (if it reads something new) a query
in web/queries.py. The access routes (login, regions, 代表服务) are installed by access_wiring (after these),
because whether the schema lists them depends on the server mode."""

from __future__ import annotations

import pkgutil
from importlib import import_module

ACCESS = ("access", "regions", "deputy", "opinion")  # installed by access_wiring.install


MOST_ASKED = ("documents", "findings", "units", "compare", "projects", "rules")  # 总览, 文档, 问题, …: tried first


def routers(skip: tuple[str, ...] = ACCESS) -> list:
    """The routers of the resource modules, those of MOST_ASKED first, then by name. No two routes of different
    modules match the same address (tests/test_web_api.py), so the order changes only how many routes a
    request tries before its own."""
    out = []
    order = {name: i for i, name in enumerate(MOST_ASKED)}
    for m in sorted(pkgutil.iter_modules(__path__), key=lambda m: (order.get(m.name, len(order)), m.name)):
        if m.name not in skip:
            module = import_module(f"{__name__}.{m.name}")
            if hasattr(module, "router"):
                out.append(module.router)
    return out
