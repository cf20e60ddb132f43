"""The one place wiring read → extract → store → checks, used by the CLI, the web upload and scale/.

    ingest(engine, paths)              files and folders → documents, each in its own transaction
    ingest_upload(engine, files, …)    uploaded files kept beside their digest, ingested and checked
    check(engine, document_ids)        the checks of stored documents, their findings and key figures stored

A document is kept only when all of it completed: read, extracted, written and (with `check`) checked."""

from __future__ import annotations

import logging
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from .errors import BudgetwatchError, Code, InputError, Refusal
from .extract import extract_files
from .extract.document import sha256_file
from .extract.pairing import read_documents
from .model import Document
from .read.formats import SUFFIXES
from .read.progress import Callback as ProgressCallback, report, reporting
from .store.repository import content_sha, load_version
from .store.schema import Version
from .store.writer import StoreBusy, stored_content, write_lock, write_version

if TYPE_CHECKING:  # the checks are imported where they run
    from .checks.view import Neighbour

log = logging.getLogger(__name__)


class ChecksFailed(InputError):
    def __init__(self, path, problem: str):
        super().__init__(path, problem, code=Code.checks_failed)


@dataclass
class Outcome:
    files: list[str]
    status: str  # ingested | unchanged | failed
    message: str = ""
    document_id: int | None = None
    version_id: int | None = None
    version: int | None = None
    code: Code | None = None  # why it failed, when an input was refused


@dataclass
class Summary:
    outcomes: list[Outcome] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == "failed"]


# ---- files → documents --------------------------------------------------------------------------------


def candidate_files(paths: Iterable[str | Path]) -> dict[Path, list[Path]]:
    """{folder: its supported files} for folders (searched recursively); a file named stands alone under
    its own path."""
    out: dict[Path, list[Path]] = {}
    for p in map(Path, paths):
        if p.is_dir():
            for f in sorted(p.rglob("*")):
                if f.is_file() and f.suffix.lower() in SUFFIXES and not f.name.startswith("."):
                    out.setdefault(f.parent, []).append(f)
        else:
            out[p] = [p]
    return out


def discover(paths: Iterable[str | Path]) -> list[list[Path]]:
    """Each file named is a document; folders are searched recursively for supported files, and
    a folder's narrative and tables files of one disclosure are paired into one document."""
    return [files for files, _ in read_documents_of(paths)]


def read_documents_of(paths: Iterable[str | Path]):
    """(files, what was read of them) for every document, folder by folder, each file read once."""
    for key, files in candidate_files(paths).items():
        if files == [key]:
            yield files, {}
        else:
            yield from read_documents(files)


# ---- one document ----------------------------------------------------------------------------------------


@dataclass
class Prepared:
    """One document read and extracted (or refused), not yet written: what a reader process hands the writer."""

    files: list[Path]
    sha: str | None = None
    doc: Document | None = None
    failed: Outcome | None = None
    stored: bool = False  # its bytes are stored already (as the writer knew when it began)


def prepare(files: list[Path], sources: dict | None = None, stored: frozenset | None = None) -> Prepared:
    """Hash and extract one document; no database (a reader process runs this). `stored`: content hashes
    already stored, whose documents are not extracted again."""
    names = [str(f) for f in files]
    try:
        shas = [sha256_file(f) for f in files]
    except OSError as e:
        return Prepared(
            files, failed=Outcome(names, "failed", f"{names[0]}: cannot read: {e.strerror or e}", code=Code.unreadable)
        )
    sha = content_sha(shas)
    if stored is not None and sha in stored:
        return Prepared(files, sha, stored=True)
    try:
        return Prepared(files, sha, extract_files(list(files), sources))
    except BudgetwatchError as e:
        return Prepared(files, sha, failed=_failed(names, e))
    except Exception as e:  # a reading the extractor did not foresee: one line for this file, the batch goes on
        log.info("extraction of %s failed", names[0], exc_info=True)  # the outcome says it in one line
        return Prepared(
            files,
            sha,
            failed=Outcome(names, "failed", f"{names[0]}: cannot extract: {type(e).__name__}: {_first_line(e)}"),
        )


def ingest_one(
    engine: Engine,
    files: list[Path],
    before_commit: Callable[[Session], None] | None = None,
    sources: dict | None = None,
    check: bool = False,
) -> Outcome:
    """Read, extract, store (and with `check`, check) one document in one transaction: a document is
    kept only when all of it completed."""
    names = [str(f) for f in files]
    try:
        sha = content_sha([sha256_file(f) for f in files])
    except OSError as e:
        return Outcome(names, "failed", f"{names[0]}: cannot read: {e.strerror or e}", code=Code.unreadable)
    existing = stored_content(engine, sha)
    if existing is not None:
        return _outcome(names, existing)
    return write(engine, prepare(files, sources), check, before_commit)


def write(
    engine: Engine, p: Prepared, check: bool = False, before_commit: Callable[[Session], None] | None = None
) -> Outcome:
    """The writer's half: store a prepared document (and with `check`, check it) in one transaction."""
    names = [str(f) for f in p.files]
    if p.failed is not None:
        return p.failed
    if p.stored and p.sha is not None:
        existing = stored_content(engine, p.sha)
        if existing is not None:
            return _outcome(names, existing)
        p = prepare(p.files)  # deleted meanwhile: read it after all
        if p.failed is not None:
            return p.failed

    def during(session: Session, v: Version) -> None:
        if check:
            _check_new(session, v, names[0])
        if before_commit:
            before_commit(session)

    try:
        assert p.doc is not None and p.sha is not None  # neither failed nor stored: extracted
        return _outcome(names, write_version(engine, p.doc, p.sha, during))
    except StoreBusy:
        return Outcome(
            names,
            "failed",
            f"{names[0]}: 已在导入: another ingest is storing this document; "
            "nothing stored by this one, try again when it has finished",
        )
    except BudgetwatchError as e:
        return _failed(names, e)
    except Exception as e:  # a database failure: this document is rolled back, the batch goes on
        return Outcome(names, "failed", f"{names[0]}: database error: {type(e).__name__}: {_first_line(e)}")


def _outcome(names: list[str], stored) -> Outcome:
    message = "identical bytes already stored" if stored.status == "unchanged" else ""
    return Outcome(names, stored.status, message, stored.document_id, stored.version_id, stored.number)


def _failed(names: list[str], e: BudgetwatchError) -> Outcome:
    return Outcome(names, "failed", str(e), code=getattr(e, "code", None))


def _first_line(e: Exception) -> str:
    return (str(e).splitlines() or [""])[0][:300]


def _check_new(session: Session, v: Version, name: str) -> None:
    """The new version's checks, in its transaction: a document whose checks fail is not kept."""
    report("check", 0, 1, name)
    try:
        check_in_session(session, [v])
    except SQLAlchemyError:
        raise
    except Exception as e:
        log.info("checks of %s failed", name, exc_info=True)
        raise ChecksFailed(name, f"checks failed, nothing stored: {type(e).__name__}: {_first_line(e)}") from e


def ingest(
    engine: Engine,
    paths: Iterable[str | Path] = (),
    docs: list[list[Path]] | None = None,
    progress: Callable[[Outcome], None] | None = None,
    check: bool = False,
    workers: int = 1,
) -> Summary:
    """Ingest `paths` (or documents already found by `discover`), reporting each outcome to `progress`;
    with `check`, each new version is checked before it is committed. With `workers` > 1 the files are read
    and extracted in that many reader processes while this process writes and checks, in the same order."""
    summary = Summary()
    if workers > 1 and docs is None:
        found = _read_in_pool(engine, paths, workers)
        outcomes = (write(engine, p, check) for p in found)
    else:
        pairs = ((files, {}) for files in docs) if docs is not None else read_documents_of(paths)
        outcomes = (ingest_one(engine, files, sources=sources, check=check) for files, sources in pairs)
    for out in outcomes:
        summary.outcomes.append(out)
        if progress:
            progress(out)
    return summary


def _read_file(path: Path, alone: bool, stored: frozenset):
    """A reader process's task: one file of a folder (or named alone) → ("doc", Prepared), or ("waiting",
    Profile) for a 说明-only or tables-only file, whose reading goes with it to the pairing (read once)."""
    from .extract.pairing import profile

    if alone:
        return "doc", prepare([path], None, stored)
    pr = profile(path)
    if pr is None:  # unreadable: its extraction reports the reader's error
        return "doc", prepare([path], {}, stored)
    if pr.narrative_only or pr.tables_only:
        return "waiting", pr
    return "doc", prepare([path], {path: pr.source}, stored)


def _recording(fn, *args):
    """`fn(*args)` in a reader process, with the warnings it gave (the writer's process shows them, in order)."""
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = fn(*args)
    return out, [(str(w.message), w.category) for w in caught]


def _shown(result):
    import warnings

    out, caught = result
    for message, category in caught:
        warnings.warn(message, category, stacklevel=2)
    return out


def _read_in_pool(engine: Engine, paths: Iterable[str | Path], workers: int):
    """Prepared documents in the order of the sequential ingest (folder by folder, each folder's complete
    documents as read, then its pairs), read by `workers` spawned processes, a few files ahead of the writer."""
    import multiprocessing as mp
    from collections import deque
    from concurrent.futures import ProcessPoolExecutor

    from sqlalchemy import select

    from .extract.pairing import _pair

    with Session(engine) as s:
        stored = frozenset(s.scalars(select(Version.content_sha256)))
    tasks = ((key, f, files == [key]) for key, files in candidate_files(paths).items() for f in files)
    ahead = 2 * workers + 2  # results waiting for the writer: bounded, whatever the number of files
    with ProcessPoolExecutor(workers, mp_context=mp.get_context("spawn")) as pool:
        pending: deque = deque()

        def fill() -> None:
            while len(pending) < ahead:
                task = next(tasks, None)
                if task is None:
                    return
                key, f, alone = task
                pending.append((key, pool.submit(_recording, _read_file, f, alone, stored)))

        fill()
        waiting: list = []
        while pending:
            key, fut = pending.popleft()
            fill()
            kind, result = _shown(fut.result())
            if kind == "waiting":
                waiting.append(result)
            else:
                yield result
            if waiting and (not pending or pending[0][0] != key):  # the folder is read: pair its waiting files
                groups = [
                    pool.submit(_recording, prepare, [pr.path for pr in g], {pr.path: pr.source for pr in g}, stored)
                    for g in _pair(waiting)
                ]
                waiting = []
                for g in groups:
                    yield _shown(g.result())


# ---- uploads -----------------------------------------------------------------------------------------------


def ingest_upload(
    engine: Engine,
    files: list[tuple[str | None, BinaryIO]],
    root: Path,
    before_commit: Callable[[Session], None] | None = None,
    progress: ProgressCallback | None = None,
) -> list[int]:
    """Keep the uploaded files (name, stream) under `root`/<digest>, ingest and check them: one file is one
    document; several are paired as the CLI pairs a folder's files (a disclosure's 说明 and 报表 published
    apart → one document). The document ids, or ValueError with the reason when none could be read
    (nothing is kept of a refused file). `progress(stage, done, total, path)` hears the readers' pages
    (read, ocr), then extract and check."""
    with reporting(progress):
        return _ingest_upload(engine, files, root, before_commit)


def upload_names(names: list[str | None]) -> list[str]:
    """The names to keep uploaded files under: display names beside the digest, never paths; ValueError
    when one has none or two are the same."""
    from .access.hardening import Refused, safe_name

    try:
        out = [safe_name(name) for name in names]
    except Refused as e:
        raise ValueError(str(e)) from None
    if not out:
        raise ValueError("a file name is needed")
    if len(set(out)) != len(out):
        raise ValueError("two of the files have the same name")
    return out


def vet_uploaded(paths: list[Path]) -> None:
    """ValueError naming the first file whose bytes are not what its name says (an executable as .pdf)."""
    from .access.hardening import Refused, sniff

    for path in paths:
        try:
            sniff(path)
        except Refused as e:
            raise Refusal(str(e), e.code) from None


def _ingest_upload(
    engine: Engine,
    files: list[tuple[str | None, BinaryIO]],
    root: Path,
    before_commit: Callable[[Session], None] | None,
) -> list[int]:
    import hashlib

    names = upload_names([name for name, _ in files])
    tmp = Path(tempfile.mkdtemp(prefix="bw-upload-"))
    try:
        digest = hashlib.sha256()
        for (_, stream), name in zip(files, names):
            digest.update(name.encode() + b"\0")
            with open(tmp / name, "wb") as out:
                for chunk in iter(lambda s=stream: s.read(1 << 20), b""):  # type: ignore[misc]
                    digest.update(chunk)
                    out.write(chunk)
        vet_uploaded([tmp / name for name in names])
        folder = root / digest.hexdigest()[:16]
        folder.mkdir(parents=True, exist_ok=True)
        finals = []
        for name in names:
            shutil.move(str(tmp / name), folder / name)
            finals.append(folder / name)
        # several files are read once to be paired, and what was read goes on to extraction
        groups = [(finals, {})] if len(finals) == 1 else list(read_documents_of([folder]))
        try:  # each document is stored only once its checks ran too
            outcomes = [
                ingest_one(engine, group, check=True, before_commit=before_commit, sources=sources)
                for group, sources in groups
            ]
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        for o in outcomes:
            if o.status == "failed":
                for f in o.files:
                    Path(f).unlink(missing_ok=True)
        ids = list(dict.fromkeys(o.document_id for o in outcomes if o.status != "failed" and o.document_id))
        if not ids:
            shutil.rmtree(folder, ignore_errors=True)
            said = "; ".join(o.message.replace(str(folder) + "/", "") for o in outcomes)
            raise Refusal(said, next((o.code for o in outcomes if o.code), None))
        return ids
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


# ---- without a database (scale/: one document per Spark task) --------------------------------------------


@dataclass
class Checked:
    doc: Document
    figures: dict  # analysis.figures.key_figures
    findings: list  # families A–E: those of the document alone


def extract_and_check(files: list[Path], sources: dict | None = None) -> Checked:
    """One document read, extracted and checked on its own (family F, across documents, needs the database);
    raises BudgetwatchError when it is refused."""
    from .analysis.figures import key_figures
    from .checks import run_checks

    doc = extract_files(list(files), sources)
    return Checked(doc, key_figures(doc), [f for f in run_checks(doc) if f.family != "F"])


# ---- checks -------------------------------------------------------------------------------------------------


def check(engine: Engine, document_ids: list[int] | None = None) -> dict:
    """Run the checks on the newest version of the given documents (all when None), with the other
    documents of the database as history (same unit) and peers (same year and stage); store the
    findings and the version's key figures. Returns {version id: findings} with reviewers' decisions applied.
    A document whose checks cannot complete is reported in its findings (and logged); the others go on."""
    from sqlalchemy import select

    from .store.findings import load_findings
    from .store.newest import is_newest

    with Session(engine, expire_on_commit=False) as s:  # versions never change: no reload after a commit
        q = select(Version).where(is_newest()).order_by(Version.document_id)
        if document_ids is not None:
            q = q.where(Version.document_id.in_(document_ids))
        chosen = list(s.scalars(q))
        write_lock(s)
        held = [time.monotonic()]

        def give_back() -> None:  # between documents: the lock is held HOLD_SECONDS at most, plus one document
            if time.monotonic() - held[0] > HOLD_SECONDS:
                s.commit()
                write_lock(s)
                held[0] = time.monotonic()

        failed = check_in_session(s, chosen, isolate=True, between=give_back)
        s.commit()
        out = load_findings(s, [v.id for v in chosen])
        for vid, finding in failed.items():
            out[vid] = [finding]
        return out


HOLD_SECONDS = 1.0  # check commits this often, between documents: other writers (a job's progress) wait no longer
KEEP_LOADED = 32  # documents read for their figures kept for their own check (more are read again)
NEAR_FILTER = 200  # up to this many documents checked, the neighbours are selected by unit, year and stage


def _neighbours(s: Session, chosen: list[Version], keep: dict) -> tuple[list[tuple], dict[int, Neighbour]]:
    """Family F's view of the documents the chosen ones compare with (the newest versions of the same units,
    and of the same years and stages — for up to NEAR_FILTER chosen only those of their years lacking figures:
    their peers are then counted in SQL, store/figures.peer_shares): ([(version id, unit, year, stage)],
    {version id: checks.view.Neighbour}),
    their key figures read from the key_figures table in one query of a few columns, never the documents
    themselves. The chosen versions and any without stored figures have theirs computed and stored here,
    each read once (the first KEEP_LOADED chosen kept in `keep` for their own check). One that cannot be
    read is left out of the comparison (its own check reports it), not a reason to fail the others."""
    from sqlalchemy import and_, or_, select

    from .analysis.figures import key_figures
    from .checks.view import Neighbour
    from .model import KEY_FIGURES
    from .store.figures import save_figures
    from .store.newest import is_newest
    from .store.schema import KeyFigures

    fresh = {v.id for v in chosen}
    q = (
        select(
            Version.id,
            Version.unit_name,
            Version.year,
            Version.stage,
            KeyFigures.version_id,
            *(getattr(KeyFigures, k) for k in KEY_FIGURES),
        )
        .outerjoin(KeyFigures, KeyFigures.version_id == Version.id)
        .where(is_newest())
        .order_by(Version.document_id)
    )
    if len(chosen) <= NEAR_FILTER:  # a few documents: their units' (their peers are counted in SQL, PeerShares)
        units, years = {v.unit_name for v in chosen if v.unit_name}, {(v.year, v.stage) for v in chosen}
        lacking = [and_(Version.year == y, Version.stage == st, KeyFigures.version_id.is_(None)) for y, st in years]
        q = q.where(or_(Version.unit_name.in_(units), Version.id.in_(fresh), *lacking))  # figures computed below
    rows = s.execute(q).all() if chosen else []
    found: dict[int, Neighbour] = {}
    for vid, unit, year, stage, stored, *values in rows:
        figures = dict(zip(KEY_FIGURES, values))
        if stored is None or vid in fresh:
            try:
                doc = load_version(s, vid)
                figures = {k: v for k, v in save_figures(s, vid, key_figures(doc)).items() if k in KEY_FIGURES}
                if vid in fresh and len(keep) < KEEP_LOADED:
                    keep[vid] = doc
            except Exception as e:
                log.warning("version %s left out of the comparison: %s: %s", vid, type(e).__name__, e)
                continue
        found[vid] = Neighbour(unit, year, stage, figures)
    return [(vid, unit, year, stage) for vid, unit, year, stage, *_ in rows], found


def check_in_session(
    s: Session, chosen: list[Version], isolate: bool = False, between: Callable[[], None] | None = None
) -> dict:
    """Check `chosen` (newest versions) against the other newest versions in session `s`, without committing
    (unless `between`, called after each document, does). With `isolate`, each document is checked in a
    savepoint and a failure is returned as {version id: finding} instead of raised (an ingest wants the
    raise: it keeps nothing then).
    Checking one document reads that one document, however many are stored: the others are key figures."""
    from .analysis.figures import key_figures
    from .checks import Finding, run_checks
    from .checks.across import batch
    from .checks.view import PeerShares
    from .store.figures import peer_shares, save_figures
    from .store.findings import save_findings

    failed: dict[int, Finding] = {}
    loaded: dict = {}
    others, near = _neighbours(s, chosen, keep=loaded)
    by_unit: dict[str, list[int]] = {}
    by_year: dict[tuple, list[int]] = {}
    for o, unit, year, stage in others:  # in document order, as the checks take them
        if o in near:
            by_unit.setdefault(unit, []).append(o)
            by_year.setdefault((year, stage), []).append(o)
    # one list of peers a year and stage, shared by its documents (each in it too: the peer rules compare with
    # other units), not a copy without itself for each — check --all would be quadratic in the documents
    few = len(chosen) <= NEAR_FILTER  # then each document's peers are counted in SQL (store/figures.peer_shares)
    peer_lists = {} if few else {k: [near[o] for o in ids] for k, ids in by_year.items()}
    with batch():
        for v in chosen:
            try:
                with s.begin_nested() if isolate else nullcontext():
                    history = [near[o] for o in by_unit.get(v.unit_name, []) if o != v.id] if v.unit_name else []
                    doc = loaded.pop(v.id, None) or load_version(s, v.id)
                    if few:  # one document among many: its peers counted beside their stored figures
                        found = run_checks(
                            doc, history=history, peer_shares=PeerShares(*peer_shares(s, v.year, v.stage, v.unit_name))
                        )
                    else:
                        found = run_checks(doc, history=history, peers=peer_lists.get((v.year, v.stage), []))
                    save_findings(s, v, found)
                    save_figures(s, v.id, key_figures(doc))
            except Exception as e:
                if not isolate:
                    raise
                log.warning(
                    "checks of document %s (version %s) failed: %s: %s", v.document_id, v.id, type(e).__name__, e
                )
                log.debug("checks failed", exc_info=True)
                failed[v.id] = Finding(
                    rule="CHK",
                    severity="error",
                    family="E",
                    file=None,
                    message=f"本文档的检查未能完成：{type(e).__name__}: "
                    f"{str(e).splitlines()[0][:200] if str(e) else ''}",
                    suggestion="请人工核对本文档，并将其报告给系统维护人员。",
                    evidence={"claim": "checks-failed"},
                )
            if between is not None:
                between()
    return failed
