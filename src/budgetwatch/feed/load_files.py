"""`feed load`: CSV/XLSX exports → one batch. Each file's table comes from its name (BA_BGT_INFO.csv,
指标*.xlsx, PAY_VOUCHER_BILL*, 支付明细*…) or else its header; its columns from a preset (auto-detected)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from sqlalchemy.engine import Engine

from .bulk import CsvFile
from .codes import Bad
from .files import feed_files, open_sheet, sha256_of
from .load import Part, Report, load_batch, parts_rows
from .presets import detect, map_header, table_of
from .validate import REASONS, Reject

MANIFEST = "manifest.json"  # written by `feed synth` beside its CSVs: the feed is synthetic


def file_part(path: Path, preset: str = "auto") -> Part:
    """A file as a stream of canonical rows, or a Part carrying why it cannot be read (fatal)."""
    table = table_of(path.name)
    try:
        sheet = open_sheet(path)
    except Bad as e:
        return Part(
            table or "lines", [], path.name, fatal=Reject(table or "lines", None, e.code, e.message, file=path.name)
        )
    mapping = detect(sheet.header, table, preset)
    if mapping is None:
        if table is None:
            return Part(
                "lines",
                [],
                path.name,
                fatal=Reject(
                    "lines",
                    None,
                    "E_TABLE",
                    f"无法从文件名或表头识别数据表（表头：{'、'.join(sheet.header[:8])}）",
                    file=path.name,
                ),
            )
        mapping = map_header(sheet.header, table, preset if preset != "auto" else "yth")
    if mapping.missing:
        return Part(
            mapping.table,
            [],
            path.name,
            fatal=Reject(
                mapping.table,
                None,
                "E_COLUMN",
                f"{REASONS['E_COLUMN']}：{'、'.join(mapping.missing)}（按{mapping.preset}列名）",
                file=path.name,
            ),
        )
    scales = {f: s for f, s in mapping.columns.values() if s != 1}
    source_table = "PAY_VOUCHER_BILL" if mapping.table == "payments" else mapping.table
    part = Part(mapping.table, parts_rows(mapping.columns, sheet.rows), path.name, scales, source_table)
    if sheet.encoding is not None:
        part.csv = CsvFile(path, sheet.encoding, sheet.header, mapping.columns)
    return part


def load_files(
    engine: Engine,
    paths: list[Path],
    *,
    region: str,
    year: int,
    as_of: date | None = None,
    preset: str = "auto",
    region_name: str | None = None,
    submitted_by: str | None = None,
) -> Report:
    files = feed_files(paths)
    if not files:
        raise Bad("E_FILE", f"{', '.join(map(str, paths))}: 没有CSV或XLSX文件")
    for f in files:
        if not f.is_file():
            raise Bad("E_FILE", f"{f}: 文件不存在")
    manifest = _manifest(files, paths)
    sha = sha256_of(files)
    parts = [file_part(f, preset) for f in files]
    aliases = tuple(a for a in (manifest.get("region_alias"),) if a)
    return load_batch(
        engine,
        parts,
        region=region,
        year=year,
        source_kind="files",
        source_name="files",
        external_id="sha256:" + sha[:40],
        sha256=sha,
        as_of=as_of,
        preset=preset,
        files=[f.name for f in files],
        submitted_by=submitted_by,
        synthetic=bool(manifest),
        region_name=region_name or manifest.get("region_name"),
        region_aliases=aliases,
    )


def _manifest(files: list[Path], paths: list[Path]) -> dict:
    for folder in {f.parent for f in files} | {Path(p) for p in paths if Path(p).is_dir()}:
        m = folder / MANIFEST
        if m.is_file():
            try:
                return json.loads(m.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                return {"synthetic": True}
    return {}
