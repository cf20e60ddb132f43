#!/usr/bin/env python3
"""Draft corpus gold from an independent reading of the page: pdfplumber's ruled cells, never budgetwatch.

    gold_draft.py survey FILE                 # per page: pdfplumber tables and the first text lines
    gold_draft.py cells FILE PAGE [PAGE...]   # the raw cell grid of each table on the pages
    gold_draft.py draft SPEC.json [-o OUT]    # a gold JSON drafted from a spec (below)
    gold_draft.py check GOLD.json             # arithmetic identities of a gold file (合计 = Σ类, 类 = Σ款 …)
    gold_draft.py rasterise FILE PAGES OUT    # an image-only copy of some pages (the scan of the gold set)

A spec names the document's meta and its tables; the cells come from pdfplumber:

    {"out": "name.json", "source": {"files": [...], "format": "pdf"}, "unit": ..., "year": ..., "stage": ..., "scope": ...,
     "note": "...",
     "tables": [{"kind": "income", "pages": [8], "file": 0, "title": "...", "money_unit": "元",
                 "cols": {"4": "total", "5": "gpb"}, "name": 3, "code": [0, 1, 2],
                 "sides": {"income": {"name": 0, "cols": {"1": "total"}}, "expenditure": {...}},
                 "table": 0, "skip_names": [...], "rename": {"old": "new"}, "empty": false}],
     "forms": [...]}          # forms are written by hand from the page and copied through

Column indexes are those of pdfplumber's grid (see `cells`); `code` lists the 类/款/项 (or one) code columns.
The draft is then corrected by eye against the rendered page (pdftoppm -r 110) — it is a draft, not gold.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import sys
from collections import defaultdict

import pdfplumber

CORPUS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "corpus")
ENUM = re.compile(r"^\s*([（(]?[一二三四五六七八九十]+[）)、.．]|[（(]\d+[）)]|\d+[、.．](?!\d)|[①-⑳])\s*")
NUMBER = re.compile(r"^[(（]?-?[\d,]*\.?\d+[)）]?$")


def corpus_path(name: str) -> str:
    if os.sep in name and os.path.exists(name):  # a path, not a corpus file's name
        return name
    for d in (os.environ.get("GOLD_INPUTS", ""), CORPUS, "/work/shared/corpus"):
        if d and os.path.exists(os.path.join(d, name)):
            return os.path.join(d, name)
    raise SystemExit(f"{name}: not found in the corpus")


def clean(s) -> str:
    return re.sub(r"\s+", "", s or "")


def amount(s):
    """A printed amount as a number; None for a blank or a dash."""
    t = clean(s).replace(",", "").replace("，", "")
    if not t or t in {"-", "—", "--", "——", "/"}:
        return None
    neg = t.startswith(("(", "（")) and t.endswith((")", "）"))
    t = t.strip("()（）")
    if not NUMBER.match(t):
        return None
    v = float(t)
    return -v if neg else v


def page_title(path: str, page: int):
    """The page's first line that names a table, and its 单位：… money unit."""
    with pdfplumber.open(path) as pdf:
        lines = (pdf.pages[page - 1].extract_text() or "").split("\n")
    title = next(
        (clean(x) for x in lines if re.search(r"表|情况", x) and not x.strip().startswith("单位")), clean(lines[0])
    )
    m = re.search(r"(?:单位|金额单位)[:：]\s*(万元|亿元|元)", "\n".join(lines))
    return title, m.group(1) if m else None


KEYS = [
    (r"^(人员经费|人员支出|工资福利支出|人员类)$", "personnel"),
    (r"^(日常)?(公用经费|公用支出)$", "public"),
    (r"基本支出", "basic"),
    (r"项目支出", "project"),
    (r"^一般公共预算|^公共财政预算|^一般预算", "gpb"),
    (r"^政府性基金|^基金预算", "gf"),
    (r"^国有资本经营", "soe"),
    (r"财政专户", "special"),
    (r"^单位资金$", "unit_funds"),
    (r"^事业收入$", "business"),
    (r"^事业单位经营收入$|^经营收入$", "operating"),
    (r"^其他收入$", "other"),
    (r"^上年结转", "carryover"),
    (r"^(当年预算|本年预算安排|当年预算安排|当年财政拨款|编制预算)", "current"),
]
TOTAL = re.compile(
    r"^(合计|小计|总计|金额|机关运行经费(支出|预算数)?|预算数|本年预算数?|\d{4}年(预算数?)?|本年(收入|支出)(合计)?|年度预算|决算数|支出预算|收入预算)$"
)
CODE = re.compile(
    r"^(类|款|项|(功能|经济|支出经济|部门经济|政府经济)?分类)?(科目)?(编码|代码)$|^[类款项]$|^(功能|经济)科目(编码|代码)$"
)


def header_key(path):
    """The column key of a header path (outermost … innermost), the innermost level deciding; a 小计/合计
    under 基本支出 is basic, under any other group the total."""
    path = [clean(x) for x in path if clean(x)]
    if not path:
        return None
    h = path[-1]
    if TOTAL.match(h) and len(path) > 1 and not TOTAL.match(path[-2]):
        for pat, key in (
            (r"^基本支出$", "basic"),
            (r"^(当年预算|编制预算|本年预算安排|当年预算安排)$", "current"),
            (r"^上年结转(结余)?$", "carryover"),
        ):
            if re.match(pat, path[-2]):
                return key
    if TOTAL.match(h):
        return "total"
    for pat, key in KEYS:
        if re.search(pat, h):
            return key
    return "x:" + h


def column_paths(page, table):
    """Per grid column, the header texts above the first body row, outer to inner (merged cells spread)."""
    grid = table.extract()
    first = next(
        (
            i
            for i, r in enumerate(grid)
            if any(amount(c) is not None and not CODE.match(clean(c)) and len(clean(c)) > 0 for c in r)
        ),
        len(grid),
    )
    rows = table.rows
    body = rows[first] if first < len(rows) else rows[-1]
    ncol = len(body.cells)
    lefts = [min((r.cells[j][0] for r in rows if j < len(r.cells) and r.cells[j]), default=None) for j in range(ncol)]
    edges = lefts + [table.bbox[2]]
    xs = [
        None if lefts[j] is None else (lefts[j] + next(e for e in edges[j + 1 :] if e is not None)) / 2
        for j in range(ncol)
    ]
    top = body.cells[next(i for i, c in enumerate(body.cells) if c)][1]
    paths = [[] for _ in xs]
    for cell in sorted(table.cells, key=lambda c: (c[1], c[0])):
        if cell[3] > top + 1:
            continue
        box = (max(cell[0], 0), max(cell[1], 0), min(cell[2], page.width), min(cell[3], page.height))
        text = clean(page.crop(box).extract_text())
        wide = cell[2] - cell[0] > 0.6 * (table.bbox[2] - table.bbox[0])
        if (
            re.search(r"表$|(编制|预算)(单位|部门)[:：]|^(单位|部门)[:：]|单位[:：](万元|元)$", text)
            or wide
            and re.search(r"表|单位[:：]", text)
        ):
            continue  # a title or unit band ruled into the table
        for j, x in enumerate(xs):
            if x is not None and cell[0] - 1 <= x <= cell[2] + 1 and text:
                paths[j].append(text)
    return paths


def canonical_item(path):
    """The canonical 三公 item of a header path (or row label): spec §three_public."""
    path = [clean(x).replace("(", "（").replace(")", "）") for x in path if clean(x)]
    h = path[-1] if path else ""
    up = path[-2] if len(path) > 1 else ""
    if re.search(r"机关运行", h):
        return "机关运行经费"
    if re.search(r"出国", h):
        return "因公出国（境）费"
    if re.search(r"接待", h):
        return "公务接待费"
    if re.search(r"会议", h):
        return "会议费"
    if re.search(r"培训", h):
        return "培训费"
    if re.search(r"购置及运行", h) or (h in ("小计", "合计") and re.search(r"购置及运行", up)):
        return "公务用车购置及运行费"
    if re.search(r"购置", h):
        return "公务用车购置费"
    if re.search(r"运行", h):
        return "公务用车运行维护费"
    if h in ("合计", "小计") or re.search(r"三公", h):
        return "合计"
    if h == "总计":
        return "总计"
    return h


def items_as_columns(page, table, key="total"):
    """Rows of a 三公 table printed as one line of figures under its item headers."""
    paths = column_paths(page, table)
    grid = table.extract()
    figures = [
        r for r in grid if any(amount(c) is not None for c in r) and not any(clean(c) in ("**", "栏次") for c in r if c)
    ]
    rows, admin = [], None
    wider = any(canonical_item(p) in ("会议费", "培训费") for p in paths)
    for r in figures[:1]:
        for j, c in enumerate(r):
            v = amount(c)
            if v is None:
                continue
            name = canonical_item(paths[j])
            if wider and name == "合计" and len([x for x in paths[j] if clean(x)]) == 1:
                name = "总计"  # the printed total covers 会议费 and 培训费: 合计 is the 三公 小计
            if name == "机关运行经费":
                admin = v
            else:
                rows.append({"name": name, "values": {key: v}})
    return rows, admin


def auto_columns(page, table):
    """cols / name / code (or sides) of a table from its header, as a spec would write them."""
    paths = column_paths(page, table)
    spec = {}

    def part(idx):
        name, code, cols = None, [], {}
        for j in idx:
            p = paths[j]
            inner = p[-1] if p else ""
            if any(CODE.match(x) for x in p[-1:]) or (
                len(p) > 1 and CODE.match(p[-2]) and re.match(r"^[类款项]$", inner)
            ):
                code.append(j)
            elif name is None and (not p or re.search(r"名称|项目$|^项目|科目$|^科目", inner)):
                name = j
            elif p:
                key = header_key(p)
                if key in cols.values():  # a second 基本支出 (under 上年结转) is not the first one's key
                    key = "x:" + "›".join(clean(x) for x in p)
                cols[str(j)] = key
        return {"name": name, "code": code, "cols": cols}

    outer = [p[0] if p else "" for p in paths]
    inc = [j for j, o in enumerate(outer) if re.search(r"收入", o) and not re.search(r"支出", o)]
    exp = [j for j, o in enumerate(outer) if re.search(r"支出", o)]
    if inc and exp and max(inc) < min(exp):
        s = {"income": part(inc), "expenditure": part(exp)}
        for side in s.values():
            if not side["code"]:
                side.pop("code")
        spec["sides"] = s
    else:
        spec.update(part(range(len(paths))))
    return spec, paths


def page_tables(pdf, page: int):
    return pdf.pages[page - 1].extract_tables()


KINDS = [
    (r"财政拨款.*收.*支.*总表|财政拨款.*收支", "fiscal_summary"),
    (r"收.*支.*总表|收支.*表", "summary"),
    (r"三公", "three_public"),
    (r"机关运行", "admin_operating"),
    (r"政府性基金.*收入", "gf_income"),
    (r"政府性基金", "gf_expenditure"),
    (r"国有资本", "soe"),
    (r"一般公共预算.*基本支出.*经济", "gpb_basic"),
    (r"一般公共预算.*经济分类|一般公共预算.*按.*经济", "gpb_economic"),
    (r"基本支出.*(经济|总表|情况)|基本支出预算表", "basic_economic"),
    (r"一般公共预算", "gpb_expenditure"),
    (r"项目支出.*上年结转", "projects_carryover"),
    (r"项目支出.*(预算|决算)?表", "projects"),
    (r"政府采购", "procurement"),
    (r"购买服务", "purchase_services"),
    (r"整体.*绩效", "unit_performance"),
    (r"绩效目标", None),
    (r"收入.*表", "income"),
    (r"支出.*表", "expenditure"),
]


def kind_of(title: str):
    for pat, kind in KINDS:
        if re.search(pat, title):
            return kind or "form"
    return "other"


def autospec(path: str, name: str) -> dict:
    """A first spec: one table per titled page with a ruled grid, untitled grids continuing the one before."""
    tables = []
    with pdfplumber.open(path) as pdf:
        for i, p in enumerate(pdf.pages, 1):
            grids = p.extract_tables()
            lines = [clean(x) for x in (p.extract_text() or "").split("\n")[:4]]
            titled = next((x for x in lines if re.search(r"表$|表[(（]", x)), None)
            if titled and not re.search(r"目录", titled):
                kind = kind_of(titled)
                has = any(amount(c) is not None for g in grids for r in g for c in r)
                t = {"kind": kind, "pages": [i], "title": titled}
                if kind == "three_public":
                    t["items_as_columns"] = True
                if not has:
                    t["empty"] = True
                tables.append(t)
            elif grids and tables and tables[-1]["pages"][-1] == i - 1:
                tables[-1]["pages"].append(i)
    return {
        "source": {"files": [name]},
        "unit": None,
        "year": None,
        "stage": "budget",
        "scope": None,
        "note": "",
        "tables": tables,
    }


def survey(path: str) -> None:
    with pdfplumber.open(path) as pdf:
        for i, p in enumerate(pdf.pages, 1):
            lines = (p.extract_text() or "").split("\n")
            print(i, [len(t) for t in p.extract_tables()], " | ".join(lines[:3])[:160])


def cells(path: str, pages) -> None:
    with pdfplumber.open(path) as pdf:
        for page in pages:
            for k, t in enumerate(page_tables(pdf, page)):
                print(f"== page {page} table {k}")
                for j, r in enumerate(t):
                    print(j, [None if c is None else clean(c) for c in r])


def strip_enum(name: str) -> str:
    while True:
        t = ENUM.sub("", name)
        if t == name:
            return name
        name = t


def join_code(parts, carry):
    """Full 功能分类 code from 类/款/项 cells (an abbreviated 款/项 takes its 类/款 from the rows above)."""
    parts = [clean(p) for p in parts]
    if len(parts) == 1:
        code = parts[0]
        if code.isdigit() and len(code) == 2 and carry.get("last"):  # `01` printed under its parent
            base = carry["last"]
            code = (base[:3] if len(base) == 5 else base[:5] if len(base) == 7 else base) + code
        if code.isdigit():
            carry["last"] = code
        return code or None
    out = ""
    for i, p in enumerate(parts):
        if p:
            if i and not out:
                out = carry.get(i, "")
            out += p
            carry[i + 1] = out
        elif out:
            break
    return out or None


def body_rows(grid, spec):
    """Rows of the grid below its header: those with an amount in a value column."""
    valcols = [int(c) for c in spec.get("cols", {})]
    for block in spec.get("blocks") or []:
        valcols += [int(c) for c in block["cols"]]
    for side in (spec.get("sides") or {}).values():
        valcols += [int(c) for c in side["cols"]]
    for r in grid:
        if any(c < len(r) and amount(r[c]) is not None for c in valcols):
            yield r


def row_of(r, name_col, code_cols, cols, carry, spec):
    name = clean(r[name_col]) if name_col is not None and name_col < len(r) else ""
    sub = False
    if spec.get("names"):  # project level columns, innermost first: an outer level's row is a subtotal
        filled = [j for j in spec["names"] if j < len(r) and clean(r[j])]
        name = clean(r[filled[0]]) if filled else ""
        sub = bool(filled) and filled[0] != spec["names"][0] and spec["kind"].startswith("projects")
    values = {}
    for c, key in cols.items():
        c = int(c)
        v = amount(r[c]) if c < len(r) else None
        if v is not None:
            values[key] = v
    if not values:
        return None
    row = {}
    if code_cols:
        code = join_code([r[c] if c < len(r) else "" for c in code_cols], carry)
        if code and not code.isdigit():  # a 合计 spread over the code cells
            name = name or code
            code = None
        if code:
            row["code"] = code
    name = strip_enum(name)
    if not name and not row.get("code"):
        name = spec.get("blank_name", "合计")
    name = spec.get("rename", {}).get(name, name)
    if spec.get("gov") and name:  # 政府预算支出经济分类 code and name printed beside the 部门 ones
        *gcode, gname = spec["gov"]
        gc = "".join(clean(r[j]) for j in gcode if j < len(r))
        if gc:
            row["gov_code"] = gc if len(gc) > 3 or not carry.get("gov") else gc
        if clean(r[gname]):
            row["gov_name"] = clean(r[gname])
    row["name"] = name
    if sub:
        row["subtotal"] = True
    row["values"] = values
    return row


def draft_table(spec, files) -> dict:
    path = corpus_path(files[spec.get("file", 0)])
    title, unit = page_title(path, spec["pages"][0])
    t = {
        "kind": spec["kind"],
        "title": spec.get("title", title),
        "money_unit": spec.get("money_unit", unit),
        "location": {"page": spec["pages"][0]},
    }
    if len(files) > 1:
        t["location"]["file"] = files[spec.get("file", 0)]
    if spec.get("empty"):
        t.update(empty=True, rows=[])
        return t
    if spec.get("items_as_columns"):  # 三公 items printed as the columns of one line of figures
        with pdfplumber.open(path) as pdf:
            p = pdf.pages[spec["pages"][0] - 1]
            rows, admin = items_as_columns(p, p.find_tables()[spec.get("table", 0)], spec.get("key", "total"))
        t.update(empty=False, rows=rows)
        if admin is not None:
            a = {
                **t,
                "kind": "admin_operating",
                "rows": [{"name": "合计", "values": {"total": admin}}],
                "note": "机关运行经费 printed as a column of the 三公 table",
            }
            return [t, a]
        return t
    if "rows" in spec:  # read by hand off the cells (items printed as columns, a single line of figures)
        t.update(empty=False, rows=spec["rows"])
        return t
    rows, carry = [], {}
    with pdfplumber.open(path) as pdf:
        if not spec.get("cols") and not spec.get("sides") and not spec.get("blocks"):
            p = pdf.pages[spec["pages"][0] - 1]
            auto, paths = auto_columns(
                p, p.find_tables()[spec.get("table", 0) if isinstance(spec.get("table", 0), int) else 0]
            )
            spec = {**auto, **spec}
            spec["cols"] = {**spec.get("cols", {}), **spec.get("col_override", {})}
            print(f"AUTO {spec['kind']} p{spec['pages'][0]}: {json.dumps(auto, ensure_ascii=False)}", file=sys.stderr)
        for page in spec["pages"]:
            grids = page_tables(pdf, page)
            grid = grids[
                spec.get("table", {}).get(str(page), 0) if isinstance(spec.get("table"), dict) else spec.get("table", 0)
            ]
            body = list(body_rows(grid, spec))  # codes carry over the page break
            if spec.get("blocks"):  # blocks printed side by side (人员经费 | 公用经费): left block first
                for block in spec["blocks"]:
                    for r in body:
                        row = row_of(r, block["name"], block.get("code"), block["cols"], carry, spec)
                        if row:
                            rows.append(row)
            elif spec.get("sides"):
                for r in body:
                    for side, s in spec["sides"].items():
                        row = row_of(r, s["name"], s.get("code"), s["cols"], carry, spec)
                        if row:
                            row = {"side": side, **row}
                            rows.append(row)
            else:
                for r in body:
                    row = row_of(r, spec.get("name"), spec.get("code"), spec["cols"], carry, spec)
                    if row:
                        rows.append(row)
    for fix in spec.get("fix_rows", []):  # a correction read off the page (the note says why)
        for r in rows:
            if all(r.get(k) == v for k, v in fix["match"].items()):
                r.update(fix["set"])
                for k in fix.get("unset", []):
                    r.pop(k, None)
    if spec.get("dedupe"):  # the 合计 line repeated under the header of each continuation page
        seen, kept = [], []
        for r in rows:
            key = (r.get("side"), r.get("code"), r["name"], json.dumps(r["values"], sort_keys=True))
            if key not in seen or r.get("code") or r["name"] not in ("合计", "总计", "小计"):
                kept.append(r)
            seen.append(key)
        rows = kept
    skip = set(spec.get("skip_names", []))
    rows = [r for r in rows if r["name"] not in skip]
    if spec.get("subtotal_names"):
        for r in rows:
            if r["name"] in spec["subtotal_names"]:
                r["subtotal"] = True
    if spec.get("sides"):  # left halves first, then right halves, as a reader lists them
        rows = [r for r in rows if r["side"] == "income"] + [r for r in rows if r["side"] == "expenditure"]
    t["empty"] = False
    t["rows"] = rows + spec.get("extra_rows", [])
    if spec.get("note"):
        t["note"] = spec["note"]
    return t


def tabular_forms(spec, files) -> list[dict]:
    """Forms printed as one grid (项目名称 | 资金 | 一级 | 二级 | 三级 | 指标值): a new form where the project cell
    is filled, merged cells (None) carrying the value above."""
    path = corpus_path(files[spec.get("file", 0)])
    forms, cur, carry = [], None, {}
    with pdfplumber.open(path) as pdf:
        for page in spec["pages"]:
            for r in pdf.pages[page - 1].extract_tables()[spec.get("table", 0) :][:1][0]:

                def cell(k):
                    j = spec.get(k)
                    if j is None or j >= len(r):
                        return None
                    if r[j] is None:
                        return carry.get(k)
                    carry[k] = clean(r[j])
                    return carry[k]

                if any(
                    clean(c) in ("一级指标", "单位（项目）名称", "单位名称", "项目名称", "绩效指标") for c in r if c
                ):
                    continue  # the header, repeated on each page
                proj = r[spec["project"]] if spec["project"] < len(r) else None
                value = cell("value")
                if not value or clean(r[spec["value"]] or "") in ("指标值",):
                    continue
                if spec.get("project_null"):  # a unit's 整体支出绩效目标表: one form, project null
                    proj = None if cur else clean(proj)
                if cur is None or proj is not None and clean(proj) and clean(proj) != cur.get("name"):
                    amt = amount(r[spec["amount"]]) if spec.get("amount") is not None else None
                    cur = {
                        "name": clean(proj),
                        "project": None if spec.get("project_null") else clean(proj),
                        "amount": amt,
                        "money_unit": spec.get("money_unit", "万元"),
                        "location": {"page": page},
                        "indicators": [],
                    }
                    if len(files) > 1:
                        cur["location"]["file"] = files[spec.get("file", 0)]
                    forms.append(cur)
                    carry.pop("level1", None), carry.pop("level2", None)
                ind = {"level1": cell("level1"), "level2": cell("level2"), "name": cell("name"), "value": clean(value)}
                sign = clean(r[spec["sign"]]) if spec.get("sign") is not None and r[spec["sign"]] else ""
                sign = {"＝": "=", "＞": ">", "＜": "<"}.get(sign, sign)
                if sign and sign in "=≥≤><≧≦" or sign in (">=", "<="):
                    ind["value"] = sign + ind["value"]
                if spec.get("unit") is not None and r[spec["unit"]] and clean(r[spec["unit"]]):
                    ind["value"] += clean(r[spec["unit"]])
                cur["indicators"].append({k: v for k, v in ind.items() if v is not None})
    for f in forms:
        f.pop("name")
    return forms


def declaration_forms(spec, files) -> list[dict]:
    """Declaration forms (项目名称 / 年度资金总额 block, then a 一级 | 二级 | 三级 | 指标值 grid), one a page set:
    a page whose grid repeats no 项目名称 continues the form before."""
    path = corpus_path(files[spec.get("file", 0)])
    forms, cols, carry = [], None, {}
    with pdfplumber.open(path) as pdf:
        for page in spec["pages"]:
            grid = pdf.pages[page - 1].extract_tables()[spec.get("table", 0)]
            for r in grid:
                cells = [clean(c) if c is not None else None for c in r]
                if "项目名称" in cells and not any(x and "指标" in x for x in cells):
                    name = next(c for c in cells[cells.index("项目名称") + 1 :] if c)
                    forms.append(
                        {
                            "project": name,
                            "amount": None,
                            "money_unit": spec.get("money_unit", "万元"),
                            "location": {"page": page},
                            "indicators": [],
                        }
                    )
                    if len(files) > 1:
                        forms[-1]["location"]["file"] = files[spec.get("file", 0)]
                    continue
                label = next((c for c in cells if c and re.search(spec.get("amount_label", r"^年度资金总额"), c)), None)
                if label and forms and forms[-1]["amount"] is None:
                    forms[-1]["amount"] = next(
                        amount(c) for c in cells[cells.index(label) + 1 :] if amount(c) is not None
                    )
                    continue
                if "一级指标" in cells:
                    cols = {
                        k: cells.index(h)
                        for k, h in (
                            ("level1", "一级指标"),
                            ("level2", "二级指标"),
                            ("name", "三级指标"),
                            ("value", "指标值"),
                        )
                    }
                    carry = {}
                    continue
                if cols and forms:
                    ind = {}
                    for k, j in cols.items():
                        if not cells[j] and k in ("level1", "level2"):  # merged over the rows below
                            ind[k] = carry.get(k)
                        else:
                            ind[k] = cells[j] or ""
                            carry[k] = ind[k]
                    if ind["value"] and ind["name"]:
                        forms[-1]["indicators"].append(ind)
    return forms


def row_forms(spec, files) -> list[dict]:
    """A 项目支出绩效表 of one line per project (项目名称 | 金额 | 绩效目标 as a sentence): a form each, no indicators."""
    path = corpus_path(files[spec.get("file", 0)])
    forms = []
    with pdfplumber.open(path) as pdf:
        for page in spec["pages"]:
            for r in pdf.pages[page - 1].extract_tables()[spec.get("table", 0)]:
                name, amt = clean(r[spec["project"]]), amount(r[spec["amount"]])
                if name and amt is not None and name not in ("合计", "项目名称"):
                    forms.append(
                        {
                            "project": name,
                            "amount": amt,
                            "money_unit": spec.get("money_unit", "万元"),
                            "location": {"page": page},
                            "indicators": [],
                        }
                    )
    return forms


def as_list(x):
    return x if isinstance(x, list) else [x]


def draft(spec: dict) -> dict:
    files = spec["source"]["files"]
    sha = [hashlib.sha256(open(corpus_path(f), "rb").read()).hexdigest() for f in files]
    gold = {
        "schema": "budgetwatch.extraction/v1",
        "source": {"files": files, "sha256": sha, "format": spec["source"].get("format", "pdf")},
        "unit": spec["unit"],
        "year": spec["year"],
        "stage": spec["stage"],
        "scope": spec["scope"],
        "tables": [x for t in spec["tables"] for x in as_list(draft_table(t, files))],
        "performance_forms": spec.get("forms", [])
        + [f for ft in spec.get("forms_tables", []) for f in tabular_forms(ft, files)]
        + [f for ft in spec.get("forms_declaration", []) for f in declaration_forms(ft, files)]
        + [f for ft in spec.get("forms_rows", []) for f in row_forms(ft, files)],
        "note": spec["note"],
    }
    return gold


def check(gold: dict) -> list[str]:
    """Identities a correct reading keeps: 合计 = Σ类, 类 = Σ款, 款 = Σ项, row total = its parts."""
    out = []
    for t in gold["tables"]:
        rows = [r for r in t.get("rows", []) if not r.get("side")]
        coded = [r for r in rows if r.get("code")]
        for key in {k for r in rows for k in r["values"]}:

            def v(r):
                return r["values"].get(key, 0)

            for r in coded:
                c = r["code"]
                kids = (
                    [k for k in coded if len(k["code"]) == len(c) + 2 and k["code"].startswith(c)]
                    if len(c) in (3, 5)
                    else []
                )
                if len(c) == 3 and not kids and t["kind"] in ("gpb_basic", "basic_economic", "gpb_economic"):
                    kids = [k for k in coded if len(k["code"]) == 5 and k["code"].startswith(c)]
                if kids and abs(sum(map(v, kids)) - v(r)) > 0.011:
                    out.append(f"{t['title']} {c} {key}: {v(r)} != Σ {sum(map(v, kids)):.2f}")
            top = [r for r in coded if len(r["code"]) == 3]
            tot = [r for r in rows if r["name"] in ("合计", "总计") and not r.get("code")]
            if top and tot and abs(sum(map(v, top)) - v(tot[0])) > 0.011:
                out.append(f"{t['title']} 合计 {key}: {v(tot[0])} != Σ类 {sum(map(v, top)):.2f}")
        for r in t.get("rows", []):
            vals = r["values"]
            basic = vals.get("basic", vals.get("personnel", 0) + vals.get("public", 0))
            if (
                "total" in vals
                and {"basic", "project", "personnel", "public"} & set(vals)
                and abs(basic + vals.get("project", 0) - vals["total"]) > 0.011
            ):
                out.append(f"{t['title']} {r.get('code') or r['name']}: total {vals['total']} != basic+project")
            if (
                "basic" in vals
                and {"personnel", "public"} & set(vals)
                and abs(vals.get("personnel", 0) + vals.get("public", 0) - vals["basic"]) > 0.011
            ):
                out.append(f"{t['title']} {r.get('code') or r['name']}: basic {vals['basic']} != personnel+public")
            if (
                "total" in vals
                and {"current", "carryover"} & set(vals)
                and abs(vals.get("current", 0) + vals.get("carryover", 0) - vals["total"]) > 0.011
            ):
                out.append(f"{t['title']} {r.get('code') or r['name']}: total {vals['total']} != current+carryover")
    return out


def diff(gold: dict, cand: dict) -> list[str]:
    """Where an extraction disagrees with the gold, by kind: missing rows, wrong cells, extra rows, forms."""
    out = []
    for f in ("unit", "year", "stage", "scope"):
        if gold.get(f) != cand.get(f):
            out.append(f"meta {f}: gold {gold.get(f)!r} got {cand.get(f)!r}")
    bykind = defaultdict(list)
    for t in cand.get("tables", []):
        bykind[t["kind"]].append(t)
    gk = defaultdict(list)
    for t in gold["tables"]:
        gk[t["kind"]].append(t)
    for kind in sorted(set(gk) | set(bykind)):
        g, c = gk.get(kind, []), bykind.get(kind, [])
        if len(g) != len(c):
            out.append(
                f"{kind}: {len(g)} gold tables {[t['location'] for t in g]}, {len(c)} extracted "
                f"{[(t.get('title'), t.get('location')) for t in c]}"
            )
        crows = [r for t in c for r in t.get("rows", [])]
        used = set()
        for t in g:
            if t.get("empty") or t.get("rows_not_asserted"):
                continue
            for r in t["rows"]:
                key = (r.get("side"), r.get("code") or None, None if r.get("code") else norm_name(r["name"]))
                m = next(
                    (
                        i
                        for i, x in enumerate(crows)
                        if i not in used
                        and (x.get("side"), x.get("code") or None, None if r.get("code") else norm_name(x.get("name")))
                        == key
                    ),
                    None,
                )
                if m is None:
                    out.append(f"{kind} p{t['location'].get('page')}: missing row {key} {r['values']}")
                    continue
                used.add(m)
                cv = crows[m].get("values", {})
                bad = {
                    k: (v, cv.get(k))
                    for k, v in r["values"].items()
                    if not k.startswith("x:") and (not isinstance(cv.get(k), (int, float)) or abs(cv[k] - v) > 0.005)
                }
                extra = {k: v for k, v in cv.items() if not k.startswith("x:") and k not in r["values"]}
                if bad or extra:
                    out.append(f"{kind} p{t['location'].get('page')}: row {key} wrong {bad} extra {extra}")
        if any(not (t.get("empty") or t.get("rows_not_asserted")) for t in g):
            for i, x in enumerate(crows):
                if i not in used and any(not str(k).startswith("x:") for k in x.get("values", {})):
                    out.append(
                        f"{kind}: extra row {x.get('side')} {x.get('code')} {x.get('name')} {x.get('values')} p{x.get('location', {}).get('page')}"
                    )
    cf = list(cand.get("performance_forms", []))
    used = set()
    for f in gold.get("performance_forms", []):
        m = next(
            (
                i
                for i, x in enumerate(cf)
                if i not in used and norm_name(x.get("project")) == norm_name(f.get("project"))
            ),
            None,
        )
        if m is None:
            out.append(f"form missing {f.get('project')!r} p{f['location'].get('page')}")
            continue
        used.add(m)
        x = cf[m]
        if f.get("amount") is not None and (x.get("amount") is None or abs(_yuan(x) - _yuan(f)) > 0.5):
            out.append(
                f"form {f.get('project')!r}: amount gold {f['amount']}{f.get('money_unit')} got {x.get('amount')}{x.get('money_unit')}"
            )
        ci = [(norm_name(i.get("name")), clean(i.get("value"))) for i in x.get("indicators", [])]
        gi = [(norm_name(i.get("name")), clean(i.get("value"))) for i in f.get("indicators", [])]
        for i in gi:
            if i not in ci:
                out.append(f"form {f.get('project')!r}: indicator missing {i}")
        for i in ci:
            if i not in gi:
                out.append(f"form {f.get('project')!r}: indicator extra {i}")
    for i, x in enumerate(cf):
        if i not in used:
            out.append(
                f"form extra {x.get('project')!r} p{x.get('location', {}).get('page')} {len(x.get('indicators', []))} indicators"
            )
    return out


def _yuan(form):
    return float(form["amount"]) * {"元": 1, "万元": 1e4, "亿元": 1e8}.get(form.get("money_unit") or "元", 1)


def norm_name(s):
    import unicodedata

    if s is None:
        return None
    s = unicodedata.normalize("NFKC", clean(s)).replace("“", '"').replace("”", '"')
    return strip_enum(s).rstrip(":：")


def floor(gold_dir: str, lower: bool = False) -> dict:
    """Measure budgetwatch on the gold (the shared scorer) and raise the floor (tests/gold_corpus_floor.json,
    beside the test that reads it) to it, rounded down to 3 decimals; a lower value is written only with
    --lower (a gold correction, said in the commit)."""
    import importlib.util
    import math

    from budgetwatch.extract import extract_files

    here = os.path.dirname(os.path.abspath(__file__))
    path = os.path.join(here, "..", "..", "shared", "eval", "score.py")
    path = path if os.path.exists(path) else os.path.join(here, "score.py")
    sp = importlib.util.spec_from_file_location("shared_score", path)
    score = importlib.util.module_from_spec(sp)
    sp.loader.exec_module(score)
    fpath = os.path.join(here, "..", "tests", "gold_corpus_floor.json")
    fl = json.load(open(fpath, encoding="utf-8"))
    total, docs, rows, provinces = defaultdict(int), 0, 0, set()
    for name in sorted(os.listdir(gold_dir)):
        if not name.endswith(".json"):
            continue
        gold = json.load(open(os.path.join(gold_dir, name), encoding="utf-8"))
        if gold.get("scan"):  # the image-only copy, made here as the test makes it
            files = [os.path.join("/tmp", gold["source"]["files"][0])]
            rasterise(corpus_path(gold["scan"]["of"]), gold["scan"]["pages"], files[0], gold["scan"]["dpi"])
        else:
            files = [corpus_path(f) for f in gold["source"]["files"]]
        cand = extract_files(files).to_dict()
        st = score.score_doc(gold, cand)
        for k, v in st.items():
            total[k] += v
        docs += 1
        provinces.add(name.split("-")[0])
        rows += sum(len(t.get("rows", [])) for t in gold["tables"])
        print(name[:-5], " ".join(f"{k}={v:.3f}" for k, v in score.summary(st).items()))
    measured = score.summary(total)
    print("TOTAL", " ".join(f"{k}={v:.4f}" for k, v in measured.items()))
    for k, v in measured.items():
        new = math.floor(v * 1000) / 1000
        if new >= fl["floor"].get(k, 0) or lower:
            fl["floor"][k] = new
    fl.update(documents=docs, provinces=len(provinces), rows=rows, cells_gold=total["cells_gold"])
    open(fpath, "w", encoding="utf-8").write(json.dumps(fl, ensure_ascii=False, indent=1) + "\n")
    return fl


def rasterise(path: str, pages, out: str, dpi: int = 150) -> None:
    """An image-only PDF of the given pages (a scan as a copier makes it: no text layer)."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(path)
    images = [doc[p - 1].render(scale=dpi / 72).to_pil().convert("L") for p in pages]
    images[0].save(out, "PDF", resolution=dpi, save_all=True, append_images=images[1:])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    a = sub.add_parser("survey")
    a.add_argument("file")
    a = sub.add_parser("cells")
    a.add_argument("file")
    a.add_argument("pages", nargs="+", type=int)
    a = sub.add_parser("draft")
    a.add_argument("spec")
    a.add_argument("-o", "--out")
    a = sub.add_parser("check")
    a.add_argument("gold")
    a = sub.add_parser("autospec")
    a.add_argument("file")
    a = sub.add_parser("floor")
    a.add_argument("gold_dir")
    a.add_argument("--lower", action="store_true")
    a = sub.add_parser("diff")
    a.add_argument("gold")
    a.add_argument("cand")
    a = sub.add_parser("rasterise")
    a.add_argument("file")
    a.add_argument("pages")
    a.add_argument("out")
    a.add_argument("--dpi", type=int, default=150)
    args = ap.parse_args()
    if args.cmd == "survey":
        survey(corpus_path(args.file))
    elif args.cmd == "cells":
        cells(corpus_path(args.file), args.pages)
    elif args.cmd == "draft":
        spec = json.load(open(args.spec, encoding="utf-8"))
        gold = draft(spec)
        text = json.dumps(gold, ensure_ascii=False, indent=1)
        if args.out:
            open(args.out, "w", encoding="utf-8").write(text + "\n")
        else:
            print(text)
        for line in check(gold):
            print("CHECK", line, file=sys.stderr)
    elif args.cmd == "check":
        for line in check(json.load(open(args.gold, encoding="utf-8"))):
            print(line)
    elif args.cmd == "autospec":
        spec = autospec(corpus_path(args.file), args.file)
        print(json.dumps(spec, ensure_ascii=False, indent=None).replace('{"kind"', '\n  {"kind"'))
    elif args.cmd == "floor":
        print(json.dumps(floor(args.gold_dir, args.lower)["floor"]))
    elif args.cmd == "diff":
        cand = json.load(open(args.cand, encoding="utf-8"))
        for line in diff(json.load(open(args.gold, encoding="utf-8")), cand[0] if isinstance(cand, list) else cand):
            print(line)
    elif args.cmd == "rasterise":
        pages = [
            int(x)
            for part in args.pages.split(",")
            for x in (range(int(part.split("-")[0]), int(part.split("-")[1]) + 1) if "-" in part else [part])
        ]
        rasterise(corpus_path(args.file), pages, args.out, args.dpi)


if __name__ == "__main__":
    main()
