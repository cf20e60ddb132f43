"""Execution monitoring (执行监控, family G): rules over the 联网 feed as of a date, their thresholds per region,
reviewers' decisions on execution findings, and the pages and monthly 执行分析报告 built on them."""

from . import rules_spend, rules_budget  # noqa: E402,F401,I001  (register family G, G01–G09 then G10–G18, on import of any part)
