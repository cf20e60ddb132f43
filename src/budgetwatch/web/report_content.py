"""What a 审查报告 says, apart from how it is printed (HTML/PDF and DOCX are written from this): a cover
(issuing body, date, 内部资料), 总体情况, 主要问题 grouped by rule with counts and the strongest evidence,
then the annexes — the 问题清单, and the findings reviewers dismissed, marked and kept out of the counts."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date
from itertools import groupby
from operator import itemgetter

from ..catalogue import RULES
from ..checks.rollup import FormRollup, roll_up
from ..checks.rule import FAMILIES, SEVERITY_ZH, Finding, fmt_finding_value
from ..vocab.enums import Severity, rank

DEFAULT_ISSUER = "人大常委会预算工作委员会"
SEVERITY_ORDER = rank(Severity)
CLASSIFICATION = "内部资料　注意保存"
# the key figures a report's overview shows of each document (HTML, PDF, Word alike)
FIGURE_KEYS = ("income_total", "expenditure_total", "basic", "project", "three_public")


def issuer(named: str | None = None) -> str:
    """The issuing body on the cover: asked for, else $BUDGETWATCH_ISSUER, else a generic 预算工委."""
    return (named or os.environ.get("BUDGETWATCH_ISSUER") or DEFAULT_ISSUER).strip()


def date_zh(d: date | None = None) -> str:
    d = d or date.today()
    return f"{d.year}年{d.month}月{d.day}日"


@dataclass
class RuleGroup:
    rule: str
    title: str
    family: str
    severity: str
    findings: list[tuple[str, Finding]]  # (document label, finding)

    @property
    def strongest(self) -> tuple[str, Finding]:
        """The evidence to quote: the most severe, most certain, largest difference."""
        return min(
            self.findings, key=lambda p: (SEVERITY_ORDER[p[1].severity], -p[1].confidence, -abs(p[1].difference or 0))
        )

    @property
    def documents(self) -> int:
        return len({label for label, _ in self.findings})


@dataclass
class Report:
    title: str
    issuer: str
    date: str
    entries: list[dict]  # per document: label, figures, findings, counts, charts
    groups: list[RuleGroup] = field(default_factory=list)
    annex: list[tuple[str, Finding]] = field(default_factory=list)  # the 问题清单 (not dismissed)
    dismissed: list[tuple[str, Finding]] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        return {k: sum(1 for _, f in self.annex if f.severity == k) for k in SEVERITY_ZH}

    @property
    def annex_lines(self) -> list[tuple[str, Finding | FormRollup]]:
        """The 问题清单 as a reviewer writes it: per document, a rule on many forms is one line (its
        per-form findings inside it, listed beneath), the other findings as they are."""
        return [
            (label, x) for label, run in groupby(self.annex, key=itemgetter(0)) for x in roll_up([f for _, f in run])
        ]

    @property
    def accepted(self) -> int:
        return sum(1 for _, f in self.annex if f.status == "accepted")

    def summary(self) -> list[str]:
        """总体情况 as paragraphs."""
        n = len(self.entries)
        units = "、".join(dict.fromkeys(e["label"] for e in self.entries))
        c = self.counts
        first = (
            f"本次审查{n}份预算（决算）公开文件：{units}。"
            if n <= 6
            else f"本次审查{n}份预算（决算）公开文件，涉及{len({e['unit'] for e in self.entries})}个单位。"
        )
        found = (
            f"经系统检查，共发现需关注的问题{len(self.annex)}条，其中错误{c['error']}条、警告{c['warn']}条、"
            f"提示{c['info']}条，涉及{len(self.groups)}项检查规则。"
            if self.annex
            else "经系统检查，未发现需关注的问题。"
        )
        out = [first + found]
        if self.accepted or self.dismissed:
            out.append(
                f"审查人员已确认{self.accepted}条；排除{len(self.dismissed)}条（理由见附件二，不计入上述统计）。"
            )
        out.append(
            "各条问题均注明规则、出处（页码或行号）、报表数、应有数及差额，供提出审查意见时参考；"
            "系统检查结果须经审查人员核实后使用。"
        )
        return out


def build(title: str, entries: list[dict], issuing_body: str | None = None, on: date | None = None) -> Report:
    """Group the entries' findings: dismissed ones apart, the others by rule (most severe rule first)."""
    report = Report(title=title, issuer=issuer(issuing_body), date=date_zh(on), entries=entries)
    by_rule: dict[str, RuleGroup] = {}
    for e in entries:
        for f in e["findings"]:
            if f.status == "dismissed":
                report.dismissed.append((e["label"], f))
                continue
            report.annex.append((e["label"], f))
            r = RULES.get(f.rule)
            g = by_rule.setdefault(f.rule, RuleGroup(f.rule, r.title if r else f.rule, f.family, f.severity, []))
            g.findings.append((e["label"], f))
    report.groups = sorted(by_rule.values(), key=lambda g: (SEVERITY_ORDER[g.severity], -len(g.findings), g.rule))
    return report


def money(v: float | None) -> str:
    """万元 figures in a report: two decimals, as a 常委会 reads them (the 问题 quote what is printed)."""
    return "" if v is None else f"{v:,.2f}"


def where(f: Finding) -> str:
    """Where a finding is printed, without the file name (the report names the document)."""
    at = f"第{f.page}页" if f.page is not None else (f"第{f.line}行" if f.line is not None else "")
    row = " ".join(x for x in (f.row_code, f.row_name) if x)
    return " · ".join(x for x in (at, f.table_title or "", row) if x)


def values_line(f: Finding) -> str:
    """报表数、应有数、差额 of a finding, in its money unit, when it has them."""
    unit = f.money_unit or ""
    parts = [(k, v) for k, v in (("报表数", f.value), ("应有数", f.expected), ("差额", f.difference)) if v is not None]
    return "；".join(f"{k} {fmt_finding_value(f.rule, v)}{unit}" for k, v in parts)


def family_zh(family: str) -> str:
    return FAMILIES.get(family, family)


NUMERALS = "一二三四五六七八九十"


def ordinal_zh(i: int) -> str:
    """1 → 一 … 10 → 十, 11 → 十一, 21 → 二十一 (rule groups rarely pass 48)."""
    if i <= 10:
        return NUMERALS[i - 1]
    tens, ones = divmod(i, 10)
    return (NUMERALS[tens - 1] if tens > 1 else "") + "十" + (NUMERALS[ones - 1] if ones else "")
