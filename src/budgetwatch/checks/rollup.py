"""A 问题清单 as a reviewer writes it: a rule that fires on many performance forms of one document is one
line naming the forms (how many, which), with the per-form findings kept, each its own record, beneath it
(北京 documents raise D08 on 30 forms: one line 「30张绩效目标表缺少…」, not 30). Presentation only — the
stored findings, their ids and decisions, are untouched; pages, exports and the 审查意见 draft group them here.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..model import Finding
from ..vocab.enums import Severity, rank
from ..vocab.kinds import FORM_KINDS
from .rule import RULES, SEVERITY_ZH

MIN_FORMS = 3  # a rule on this many forms of one document is written as one line
SHOWN_NAMES = 12  # the line names this many forms, then 等; the findings beneath name them all
_ORDER = rank(Severity)


@dataclass
class FormRollup:
    """One rule on several forms of one document: `findings` are that rule's per-form findings there."""

    rule: str
    title: str
    findings: list[Finding]

    @property
    def severity(self) -> str:
        return min((f.severity for f in self.findings), key=lambda s: _ORDER[s])

    @property
    def forms(self) -> list[str]:
        return list(dict.fromkeys(f.row_name or "" for f in self.findings))

    @property
    def pages(self) -> list[int]:
        return sorted({f.page for f in self.findings if f.page is not None})

    @property
    def where(self) -> str:
        """第41–49页 (or 第…行 for a text file): the span of the forms it names."""
        for unit, at in (("页", self.pages), ("行", sorted({f.line for f in self.findings if f.line is not None}))):
            if at:
                return f"第{at[0]}{'' if len(at) == 1 else f'–{at[-1]}'}{unit}"
        return ""

    @property
    def message(self) -> str:
        names = "、".join(f"“{n}”" for n in self.forms[:SHOWN_NAMES])
        more = f"等{len(self.forms)}张" if len(self.forms) > SHOWN_NAMES else ""
        return f"{self.title}：共{len(self.forms)}张绩效目标表（{len(self.findings)}条），涉及{names}{more}。"

    @property
    def suggestion(self) -> str:
        return f"建议逐表核实修改，各表明细见下列{len(self.findings)}条。"

    def to_dict(self) -> dict:
        return {
            "rule": self.rule,
            "title": self.title,
            "severity": self.severity,
            "severity_zh": SEVERITY_ZH.get(self.severity, self.severity),
            "forms": self.forms,
            "where": self.where,
            "message": self.message,
            "suggestion": self.suggestion,
            "finding_ids": [f.id for f in self.findings],
        }


def on_form(f: Finding) -> bool:
    return f.table_kind in FORM_KINDS and bool(f.row_name)


def roll_up(findings: list[Finding], min_forms: int = MIN_FORMS) -> list[Finding | FormRollup]:
    """One document's findings in their order, each rule that fires on `min_forms` or more forms replaced
    by one FormRollup where its first finding stood (its findings inside, in their order)."""
    per_rule: dict[str, list[Finding]] = {}
    for f in findings:
        if on_form(f):
            per_rule.setdefault(f.rule, []).append(f)
    grouped = {
        rule: FormRollup(rule, RULES[rule].title if rule in RULES else rule, fs)
        for rule, fs in per_rule.items()
        if len({f.row_name for f in fs}) >= min_forms
    }
    out: list[Finding | FormRollup] = []
    for f in findings:
        g = grouped.get(f.rule) if on_form(f) else None
        if g is None:
            out.append(f)
        elif g.findings[0] is f:
            out.append(g)
    return out
