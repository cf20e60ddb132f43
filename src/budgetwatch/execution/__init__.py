"""Execution monitoring (执行监控, family G): rules over the 联网 feed as of a date, their thresholds per region,
reviewers' decisions on execution findings, and the pages and monthly 执行分析报告 built on them."""
