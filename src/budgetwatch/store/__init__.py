"""store/: the canonical model in a real database (SQLite embedded, PostgreSQL for servers)."""
