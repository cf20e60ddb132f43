"""Which region a document version belongs to. An upload takes its uploader's region (access/scope.py);
otherwise the place the disclosure prints (`Version.region`, e.g. "兴县", read by extract/place.py) is
looked up among the regions' names and aliases when the version is stored (repository.save_version)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from .schema import Region, Version


def region_for_disclosure(conn: Connection, disclosed_region: str | None) -> str | None:
    """The region whose name or aliases is what a disclosure's place reads (document_versions.region)."""
    if not disclosed_region:
        return None
    for r in conn.execute(select(Region.__table__)):
        if r.name == disclosed_region or disclosed_region in (r.aliases or []):
            return r.code
    return None


def place_unplaced(s: Session) -> int:
    """Place the versions stored before their region was known (a region named, an alias added); how many."""
    n = 0
    for v in s.query(Version).filter(Version.region_code.is_(None), Version.region.is_not(None)):
        v.region_code = region_for_disclosure(s.connection(), v.region)
        n += v.region_code is not None
    return n
