"""The principal of a request — who it is, its memberships — and the scope an action gives it: the
regions whose detail it sees (`detail`, None = every region) and those it sees only summed up (`summary`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from .permissions import MATRIX, allows


@dataclass(frozen=True)
class Grant:
    region_code: str
    role: str
    descend: bool = False
    agency_code: str | None = None


@dataclass(frozen=True)
class Scope:
    detail: frozenset[str] | None  # None: unrestricted
    summary: frozenset[str] = frozenset()

    @property
    def unrestricted(self) -> bool:
        return self.detail is None

    def sees(self, region_code: str | None) -> bool:
        return self.detail is None or region_code in self.detail

    def key(self) -> str:
        return "*" if self.detail is None else ",".join(sorted(self.detail)) + "|" + ",".join(sorted(self.summary))


@dataclass
class Principal:
    id: int | None
    login: str
    display_name: str
    superadmin: bool = False
    grants: tuple[Grant, ...] = ()
    via: str = "session"  # session | token | local (auth off)
    csrf: str | None = None
    must_change: bool = False
    ip: str | None = None
    tree: dict = field(default_factory=dict, repr=False)  # region → its descendants (from the regions table)
    parent_detail: frozenset[str] = frozenset()  # regions that let their parent see their detail
    # the name its feed batches are recorded under (feed_batches.submitted_by): `user:<login>` for an
    # account and for a machine token that an account owns, `token:<prefix>` for a token of nobody's
    submitter: str | None = None

    def batch_owner(self) -> str:
        """What its pushed feed batches record as submitted_by (the login where no submitter was set)."""
        return self.submitter or self.login

    def can(self, action: str) -> bool:
        if self.superadmin:
            return "superadmin" in MATRIX.get(action, ())
        return any(allows(g.role, action) for g in self.grants)

    def grants_key(self) -> str:
        return (
            ("S" if self.superadmin else "")
            + ";".join(f"{g.region_code}:{g.role}:{int(g.descend)}:{g.agency_code or ''}" for g in self.grants)
            + "|"
            + ",".join(sorted(self.parent_detail))
        )

    def roles(self) -> set[str]:
        return ({"superadmin"} if self.superadmin else set()) | {g.role for g in self.grants}

    def role_for(self, action: str) -> str | None:
        """The role the principal acts in for `action` (for the audit record)."""
        if self.superadmin:
            return "superadmin"
        return next((g.role for g in self.grants if allows(g.role, action)), None)

    def scope(self, action: str) -> Scope:
        if self.superadmin:
            return Scope(None)
        detail, summary = set(), set()
        for g in self.grants:
            if not allows(g.role, action):
                continue
            detail.add(g.region_code)
            if g.descend:
                below = self.tree.get(g.region_code, ())
                summary.update(below)
                detail.update(r for r in below if r in self.parent_detail)
        return Scope(frozenset(detail), frozenset(summary - detail))

    def covers(self, g: Grant, region: str) -> bool:
        """Whether grant `g` reaches `region`'s detail: its own region, or one below that lets it see."""
        return g.region_code == region or (
            g.descend and region in self.tree.get(g.region_code, ()) and region in self.parent_detail
        )

    def own_batches_only(self, region: str) -> bool:
        """The roles matrix's "read payments: finance — own batches": a principal that reads `region`'s
        payments only as its finance uploader sees the rows of the batches it submitted, not the others'."""
        if self.superadmin or self.via == "local":
            return False
        roles = {g.role for g in self.grants if allows(g.role, "read_payments") and self.covers(g, region)}
        return roles == {"finance"}

    def agencies(self) -> set[str]:
        """The 责任单位 codes a finance principal answers for."""
        return {g.agency_code for g in self.grants if g.role == "finance" and g.agency_code}

    def home_region(self) -> str | None:
        return self.grants[0].region_code if self.grants else None


LOCAL = Principal(id=None, login="local", display_name="本机用户", superadmin=True, via="local")
