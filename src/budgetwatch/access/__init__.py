"""Access: who may see and do what (regions as tenants, roles, login, sessions, tokens), the append-only
audit log, and the hardening of the web service. `BUDGETWATCH_AUTH=off` (the default) keeps the
single-user behaviour of a laptop; `on` is the server mode."""
