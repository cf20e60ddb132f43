"""Corpus report over any folders (or files): per document and in total — meta, the tables found vs the
tables its 目录 lists, the internal identities (row total = parts; 合计 = Σ类; 类 = Σ款; 款 = Σ项;
收入总计 = 支出总计; 三公 合计 = items), forms found and with an amount, codes that are not valid 功能分类
codes, crashes. A two-file disclosure (paired by content, as ingest pairs it) counts once.

Forms with an amount are counted twice: over all forms, and over the forms whose page prints a money figure
(a form read without an amount whose page, in pdfplumber's text, has no money label followed by a figure
prints none: 重庆's 部门整体绩效目标表 print only indicators). --forms lists every form read without an
amount with its page and that verdict.

    python tools/corpus_report.py FOLDERS_OR_FILES... [--violations] [--forms] [--sample 20 --seed 12] [--jobs 2] [--worst 20]

`--violations` lists every identity that fails, under its document, with page, table, identity and values;
`--sample N` draws N of all the failing identities at random (seeded by `--seed`, so a draw can be named
and repeated) for checking against the rendered pages.

Extraction is slow on a shared machine: at most 2 worker processes, and every document's extraction is
cached under /tmp/bw-corpus-cache keyed by its files' hashes and a hash of the extractor's source tree
(a changed reader or extractor re-extracts; a changed report does not).
"""

from __future__ import annotations

import argparse
import hashlib
import pickle
import random
import re
import sys
import traceback
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus_identities import bad_codes, identities  # noqa: E402

CACHE = Path("/tmp/bw-corpus-cache")


def tree_hash() -> str:
    """Hash of the code extraction depends on (read/, extract/, model.py, errors.py)."""
    import budgetwatch

    root = Path(budgetwatch.__file__).parent
    h = hashlib.sha256()
    for p in sorted([*root.glob("read/*.py"), *root.glob("extract/*.py"), root / "model.py", root / "errors.py"]):
        h.update(p.name.encode())
        h.update(p.read_bytes())
    return h.hexdigest()[:16]


def file_hash(p: Path) -> str:
    h = hashlib.sha256()
    with open(p, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()[:24]


def _cached(kind: str, paths: list[Path], tree: str, compute):
    key = hashlib.sha256("|".join([kind, tree] + [file_hash(p) for p in paths]).encode()).hexdigest()[:32]
    f = CACHE / f"{kind}-{key}.pkl"
    if f.exists():
        try:
            return pickle.loads(f.read_bytes())
        except Exception:  # a cache file half written by a killed run: compute again
            pass
    out = compute()
    CACHE.mkdir(parents=True, exist_ok=True)
    tmp = f.with_suffix(f".{id(out)}.tmp")
    tmp.write_bytes(pickle.dumps(out))
    tmp.replace(f)
    return out


def _profile_job(args):
    """The pairing profile of one file (without what was read: the pair is read again when extracted)."""
    path, tree = args

    def compute():
        from budgetwatch.extract.pairing import profile

        pr = profile(path)
        if pr is not None:
            pr.source = None
        return pr

    try:
        return path, _cached("profile", [path], tree, compute)
    except Exception:
        return path, None


def _extract_job(args):
    paths, tree = args

    def compute():
        from budgetwatch.extract.document import extract_files

        try:
            return ("ok", extract_files(paths))
        except Exception as e:  # the report counts crashes; a reader's clear error is not a crash
            from budgetwatch.errors import BudgetwatchError

            kind = "refused" if isinstance(e, BudgetwatchError) else "crash"
            return (kind, f"{type(e).__name__}: {e}\n{traceback.format_exc(limit=3) if kind == 'crash' else ''}")

    return paths, _cached("doc", paths, tree, compute)


def documents(args: list[str], jobs: int, tree: str):
    """(files, outcome) for every document under the arguments, pairing each folder's files by content."""
    from budgetwatch.extract.pairing import _pair
    from budgetwatch.pipeline import candidate_files

    folders = candidate_files(args)
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        allfiles = [f for files in folders.values() for f in files]
        profiles = dict(pool.map(_profile_job, [(f, tree) for f in allfiles]))
        groups = []
        for key, files in folders.items():
            waiting = []
            for f in files:
                pr = profiles.get(f)
                if pr is not None and (pr.narrative_only or pr.tables_only) and files != [key]:
                    waiting.append(pr)
                else:
                    groups.append([f])
            groups.extend([pr.path for pr in g] for g in _pair(waiting))
        yield from pool.map(_extract_job, [(g, tree) for g in groups])


@dataclass
class DocReport:
    name: str
    status: str
    meta_ok: bool = False
    meta: str = ""
    toc: int = 0
    missing: list = field(default_factory=list)
    tables: int = 0
    forms: int = 0
    forms_amount: int = 0
    forms_unprinted: int = 0  # forms whose page prints no money figure at all: no amount to miss
    forms_missed: list = field(default_factory=list)  # (page, layout, project, printed?) of forms without an amount
    held: int = 0
    checked: int = 0
    violations: list = field(default_factory=list)
    bad_codes: list = field(default_factory=list)
    error: str = ""

    @property
    def share(self) -> float:
        return self.held / self.checked if self.checked else 1.0


def report_of(files: list[Path], outcome) -> DocReport:
    from budgetwatch.checks.completeness import toc_kinds
    from budgetwatch.checks.view import DocView

    name = " + ".join(p.name for p in files)
    status, doc = outcome
    if status != "ok":
        return DocReport(name, status, error=str(doc).strip())
    if not doc.tables and not doc.forms:
        # a 说明 published alone whose tables file is not in the folder: its 目录 cannot be found here
        return DocReport(
            name, "narrative", meta=f"unit={doc.unit} year={doc.year}", error="a 说明 without its tables file"
        )
    r = DocReport(name, "ok")
    r.meta_ok = bool(doc.unit and doc.year and doc.stage) and 2010 <= doc.year <= 2027
    r.meta = f"unit={doc.unit} year={doc.year} stage={doc.stage} scope={doc.scope}"
    toc = toc_kinds(DocView(doc))
    found = {t.kind for t in doc.tables}
    r.toc = len({k for k, _ in toc})
    r.missing = sorted({f"{k}:{title}" for k, title in toc if k not in found})
    r.tables, r.forms = len(doc.tables), len(doc.forms)
    r.forms_amount = sum(1 for f in doc.forms if f.amount is not None)
    for f in doc.forms:
        if f.amount is None:
            printed = money_printed(files, f)
            r.forms_unprinted += not printed
            r.forms_missed.append((f.location.get("page") or f.location.get("line"), f.layout, f.project, printed))
    for ok, desc, where in identities(doc):
        r.checked += 1
        if ok:
            r.held += 1
        else:
            r.violations.append((where, desc))
    r.bad_codes = bad_codes(doc)
    return r


# a money label, and a figure after it (年度金额： 567798.76, 年度预算资金（万元） 140, a 项目总额 column over its
# rows): generous on purpose — a form counts as printing no amount only where its page has no such label at all
# (a bare 金额 is left out: indicators name it, 签约金额 ≥ 2000亿元)
_MONEY_PRINTED = re.compile(
    r"(资金总额|年度金额|年度预算资金|年度资金|预算金额|资金金额|当年预算|项目总额|金额合计|预算支出总额|预算总额|"
    r"财政拨款预算金额|实施期资金|预算数)(.{0,300}?)(\d[\d,]*(?:\.\d+)?)(?![\d年])",
    re.S,
)


def money_printed(files: list[Path], form) -> bool:
    """Does the form's page print a money figure? Read by a second reader (pdfplumber's text of the page, in
    every file of the document that has the page and prints 绩效 on it), so that a form the extractor reads
    without an amount counts as a miss only where the page prints one. Not a PDF, or no page: counted as
    printed (a miss)."""
    page = form.location.get("page")
    pdfs = [p for p in files if p.suffix.lower() == ".pdf"]
    if page is None or not pdfs:
        return True
    import pdfplumber

    texts = []
    for p in pdfs:
        with pdfplumber.open(p) as pdf:
            if page <= len(pdf.pages):
                t = re.sub(r"\s+", "", pdf.pages[page - 1].extract_text() or "")
                if "绩效" in t:
                    texts.append(t)
    return not texts or any(_MONEY_PRINTED.search(t) for t in texts)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("paths", nargs="+")
    ap.add_argument("--violations", action="store_true", help="list every violation with its page")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--worst", type=int, default=0, help="print the N documents with the lowest share first")
    ap.add_argument("--forms", action="store_true", help="list every form read without an amount")
    ap.add_argument("--sample", type=int, default=0, help="draw N failing identities at random for checking")
    ap.add_argument("--seed", type=int, default=12, help="the seed of --sample's draw")
    a = ap.parse_args(argv)
    tree = tree_hash()
    reports = [report_of(files, outcome) for files, outcome in documents(a.paths, min(a.jobs, 2), tree)]
    order = sorted(reports, key=lambda r: (r.status == "ok", r.share, -len(r.violations))) if a.worst else reports
    for r in order[: a.worst] if a.worst else order:
        if r.status != "ok":
            print(f"{r.name}: {r.status.upper()} {r.meta} {r.error.splitlines()[0] if r.error else ''}")
            continue
        print(
            f"{r.name}: {r.meta} meta={'ok' if r.meta_ok else 'INCOMPLETE'} tables={r.tables} toc={r.toc} "
            f"missing={r.missing} forms={r.forms} with_amount={r.forms_amount} no_amount_printed={r.forms_unprinted} "
            f"identities {r.held}/{r.checked} bad_codes={len(r.bad_codes)}"
        )
        if a.forms:
            for where, layout, project, printed in r.forms_missed:
                state = "MISSED (a money figure is printed)" if printed else "none printed"
                print(f"    FORM WITHOUT AMOUNT p{where} {layout} {project!r}: {state}")
        if a.violations:
            for where, desc in r.violations:
                print(f"    VIOLATION p{where}: {desc}")
            for where, desc in r.bad_codes:
                print(f"    BAD CODE p{where}: {desc}")
    if a.sample:
        print_sample(reports, a.sample, a.seed)
    summary(reports)


def print_sample(reports: list[DocReport], n: int, seed: int) -> None:
    """N of all failing identities, drawn with the seed from the list in document order."""
    every = [(r.name, where, desc) for r in reports if r.status == "ok" for where, desc in r.violations]
    drawn = sorted(random.Random(seed).sample(range(len(every)), min(n, len(every))))
    print(f"SAMPLE {len(drawn)} of {len(every)} failing identities (seed {seed}):")
    for k, i in enumerate(drawn, start=1):
        name, where, desc = every[i]
        print(f"  S{k:02d} {name} p{where}: {desc}")


def summary(reports: list[DocReport]) -> None:
    ok = [r for r in reports if r.status == "ok"]
    n = len(reports)
    crashes = sum(1 for r in reports if r.status == "crash")
    refused = sum(1 for r in reports if r.status == "refused")
    with_toc = [r for r in ok if r.toc]
    held, checked = sum(r.held for r in ok), sum(r.checked for r in ok)
    forms, amounts = sum(r.forms for r in ok), sum(r.forms_amount for r in ok)
    unprinted = sum(r.forms_unprinted for r in ok)
    pct = lambda a, b: f"{100.0 * a / b:.2f}%" if b else "n/a"  # noqa: E731
    alone = [r for r in reports if r.status == "narrative"]
    print(f"SUMMARY documents={n} crashes={crashes} refused={refused} narrative-only (tables file absent)={len(alone)}")
    print(
        f"SUMMARY toc complete: {sum(1 for r in with_toc if not r.missing)}/{len(with_toc)} = "
        f"{pct(sum(1 for r in with_toc if not r.missing), len(with_toc))} of documents with a 目录"
    )
    print(
        f"SUMMARY meta complete: {sum(1 for r in ok if r.meta_ok)}/{len(ok)} = {pct(sum(1 for r in ok if r.meta_ok), len(ok))}"
    )
    print(
        f"SUMMARY identities held: {held}/{checked} = {pct(held, checked)}; documents with all held: "
        f"{sum(1 for r in ok if r.held == r.checked)}/{len(ok)}"
    )
    print(
        f"SUMMARY forms: {forms}, with an amount {amounts} = {pct(amounts, forms)}; where one is printed: "
        f"{amounts}/{forms - unprinted} = {pct(amounts, forms - unprinted)} ({unprinted} forms print no money figure)"
    )
    print(
        f"SUMMARY codes not in the 功能分类 catalogue: {sum(len(r.bad_codes) for r in ok)} in "
        f"{sum(1 for r in ok if r.bad_codes)} documents"
    )


if __name__ == "__main__":
    main()
