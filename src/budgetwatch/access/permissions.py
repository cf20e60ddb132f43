"""THE permission matrix: which role may do which action, and which action each route is. One place —
the gate (access/gate.py), the query scope (access/scope.py) and the tests all read it from here.

A route not listed here is refused in server mode (deny by default)."""

from __future__ import annotations

ROLES = {
    "superadmin": "超级管理员",
    "admin": "管理员",
    "staff": "预算工委",
    "deputy": "人大代表",
    "finance": "财政/社保报送",
    "auditor": "审计管理员",
}

# action → roles allowed. superadmin is a flag of the account, not a membership; its actions are the
# row's "superadmin" entries (it does not ask questions: those are deputies' own).
MATRIX: dict[str, frozenset[str]] = {
    k: frozenset(v)
    for k, v in {
        "read": {"superadmin", "admin", "staff", "deputy", "finance"},  # disclosures, key figures, findings
        "export": {"superadmin", "admin", "staff", "deputy", "finance"},  # downloads (CSV/XLSX/PDF), audited
        "read_payments": {"superadmin", "admin", "staff", "deputy", "finance"},  # payee-level feed rows, audited
        "feed_upload": {"superadmin", "admin", "finance"},  # feed files, pushes, pulls
        "upload": {"superadmin", "admin", "staff"},  # a disclosure file
        "decide": {"superadmin", "admin", "staff"},  # accept/dismiss, publish findings
        "ask": {"staff", "deputy"},  # 提问 (staff: on a deputy's behalf)
        "questions": {
            "superadmin",
            "admin",
            "staff",
            "deputy",
            "finance",
        },  # see questions (deputy: own; finance: assigned)
        "triage": {"superadmin", "admin", "staff"},  # 受理/不予受理, 交办, 督办, 办结, statistics
        "reply": {"superadmin", "admin", "staff", "finance"},  # finance: items assigned to it
        "manage": {"superadmin", "admin"},  # users, memberships, settings
        "audit": {"superadmin", "auditor"},  # read, export, verify the audit log
        "self": {"superadmin", "admin", "staff", "deputy", "finance", "auditor"},  # logout, own password
    }.items()
}
# who reads person payees' names and account digits on the payee-level pages; the other roles that may read
# payments (deputy) see a unit payee's name and a person's masked (王*), no account digits (web/feed_scope.py)
PAYEE_NAMES = frozenset({"superadmin", "admin", "staff", "finance"})
PUBLIC = "public"  # no principal needed: /health, /static, /login
WRITES = {"upload", "decide", "ask", "triage", "reply", "manage", "feed_upload"}
AUDITED = WRITES | {"export", "read_payments", "audit"}  # every use leaves an audit record …
READ_AUDITED = {"export", "read_payments", "audit"}  # … reads included; of the others, the writes and downloads

# (method, route path) → action; "*" = any method. Pages and their /api twins share an action.
ROUTES: dict[tuple[str, str], str] = {
    ("GET", "/health"): PUBLIC,
    ("GET", "/static/{path}"): PUBLIC,
    ("GET", "/login"): PUBLIC,
    ("POST", "/login"): PUBLIC,
    ("POST", "/logout"): "self",
    ("GET", "/account"): "self",
    ("POST", "/account/password"): "self",
    ("GET", "/api/me"): "self",
    ("GET", "/docs"): "self",
    ("GET", "/openapi.json"): "self",  # the API description: any signed-in principal
    ("GET", "/"): "read",
    ("GET", "/api/documents"): "read",
    ("GET", "/documents/{document_id}"): "read",
    ("GET", "/api/documents/{document_id}"): "read",
    ("GET", "/api/documents/{document_id}/tables/{index}/rows/{row}"): "read",
    ("GET", "/api/documents/{document_id}/tables/{index}.{fmt}"): "read",
    ("GET", "/documents/{document_id}/tables/{index}.html"): "read",  # the 文档 page's later tables, fetched
    ("GET", "/documents/{document_id}/forms/{index}.html"): "read",
    ("GET", "/documents/{document_id}/source.png"): "read",
    ("GET", "/documents/{document_id}/source.txt"): "read",
    ("GET", "/documents/{document_id}/report.{fmt}"): "read",
    ("GET", "/reports/batch.{fmt}"): "read",
    ("GET", "/findings"): "read",
    ("GET", "/api/findings"): "read",
    ("GET", "/api/findings.{fmt}"): "read",
    ("GET", "/api/findings/{finding_id}"): "read",
    ("POST", "/findings/{finding_id}/decision"): "decide",
    ("POST", "/api/findings/{finding_id}/decision"): "decide",
    ("POST", "/api/execution/findings/{finding_id}/decision"): "decide",  # 执行监控: 确认/排除 an execution finding
    ("POST", "/feed/{region}/{year}/agencies/{agency}/match"): "decide",  # staff confirm a feed agency's unit
    ("GET", "/api/findings/{finding_id}/history"): "read",
    ("POST", "/findings/{finding_id}/undo"): "decide",
    ("POST", "/api/findings/{finding_id}/undo"): "decide",
    ("GET", "/rules"): "read",
    ("GET", "/api/rules"): "read",
    ("GET", "/units"): "read",
    ("GET", "/api/units"): "read",
    ("GET", "/units/{unit}"): "read",
    ("GET", "/api/units/{unit}"): "read",
    ("GET", "/compare"): "read",
    ("GET", "/api/compare"): "read",
    ("GET", "/projects"): "read",
    ("GET", "/api/projects"): "read",
    ("GET", "/upload"): "upload",
    ("POST", "/upload"): "upload",
    ("POST", "/api/upload"): "upload",
    # background jobs (an upload, a re-check): seen and started by those who may upload, in their regions
    ("GET", "/jobs/{job_id}"): "upload",
    ("GET", "/api/jobs/{job_id}"): "upload",
    ("POST", "/api/jobs/check"): "upload",
    ("GET", "/api/regions"): "read",
    ("GET", "/api/regions/{code}/summary"): "read",
    # administration and the audit log
    ("GET", "/admin"): "manage",
    ("GET", "/api/admin/users"): "manage",
    ("POST", "/api/admin/users"): "manage",
    ("POST", "/admin/users"): "manage",
    ("POST", "/api/admin/users/{user_id}/grant"): "manage",
    ("POST", "/api/admin/users/{user_id}/revoke"): "manage",
    ("POST", "/api/admin/users/{user_id}/reset"): "manage",
    ("GET", "/audit"): "audit",
    ("GET", "/api/audit"): "audit",
    ("GET", "/api/audit/verify"): "audit",
    ("GET", "/api/audit/export.jsonl"): "audit",
    # 代表服务
    ("GET", "/deputy"): "read",
    ("GET", "/api/deputy"): "read",
    ("GET", "/questions"): "questions",
    ("GET", "/api/questions"): "questions",
    ("GET", "/questions/new"): "ask",
    ("POST", "/questions"): "ask",
    ("POST", "/api/questions"): "ask",
    ("GET", "/questions/{question_id}"): "questions",
    ("GET", "/api/questions/{question_id}"): "questions",
    ("POST", "/api/questions/{question_id}/accept"): "triage",
    ("POST", "/api/questions/{question_id}/reject"): "triage",
    ("POST", "/api/questions/{question_id}/assign"): "triage",
    ("POST", "/api/questions/{question_id}/urge"): "triage",
    ("POST", "/api/questions/{question_id}/close"): "triage",
    ("POST", "/api/questions/{question_id}/reply"): "reply",
    ("POST", "/questions/{question_id}/{step}"): "reply",  # the page's forms: each step checked again by its own action
    ("GET", "/api/questions/overdue"): "triage",
    ("GET", "/api/questions/stats"): "triage",
    ("GET", "/staff/questions"): "triage",
    ("GET", "/staff/opinion.{fmt}"): "triage",
}
EXPORT_FORMATS = {"csv", "xlsx", "pdf", "docx", "jsonl"}


FEED_PREFIXES = ("/feed", "/api/feed", "/execution")  # the 联网 feed's pages (执行监控 too): payee-level reads


def action_for(method: str, path: str | None, path_params: dict | None = None, query: dict | None = None) -> str | None:
    """The action of a request to route `path` (its template), or None when the route is not classified.
    A read that downloads a file is an export."""
    if path is None:  # no route matched
        return None
    action = ROUTES.get((method, path)) or ROUTES.get(("*", path))
    if action is None and path.startswith(FEED_PREFIXES):
        action = "read_payments" if method in ("GET", "HEAD") else "feed_upload"
    if action is None and method == "HEAD":
        action = ROUTES.get(("GET", path))
    if action == "read" and (
        str((path_params or {}).get("fmt", "")) in EXPORT_FORMATS or (query or {}).get("format") in EXPORT_FORMATS
    ):
        return "export"
    return action


def audited(method: str, action: str | None, path_params: dict | None = None) -> bool:
    """Whether a request leaves an audit record: a write, a download, or a read of payee-level data or the log."""
    if action not in AUDITED:
        return False
    return (
        action in READ_AUDITED
        or method not in ("GET", "HEAD", "OPTIONS")
        or str((path_params or {}).get("fmt", "")) in EXPORT_FORMATS
    )


def allows(role: str, action: str) -> bool:
    return role in MATRIX.get(action, ())
