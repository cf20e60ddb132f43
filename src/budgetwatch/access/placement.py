"""Which region a document version belongs to. An upload takes its uploader's region (access/scope.py);
otherwise the place the disclosure prints (`Version.region`, e.g. "兴县", read by extract/place.py) is
looked up among the regions' names and aliases (feed/regions.py)."""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.orm import Session

from ..store.schema import Version


@event.listens_for(Version, "before_insert")
def _place(mapper, connection, version: Version) -> None:
    if version.region_code is None and version.region:
        from ..feed.regions import region_for_disclosure  # here: the feed model imports the schema importing this

        version.region_code = region_for_disclosure(connection, version.region)


def place_unplaced(s: Session) -> int:
    """Place the versions stored before their region was known (a region named, an alias added); how many."""
    from ..feed.regions import region_for_disclosure

    n = 0
    for v in s.query(Version).filter(Version.region_code.is_(None), Version.region.is_not(None)):
        v.region_code = region_for_disclosure(s.connection(), v.region)
        n += v.region_code is not None
    return n
