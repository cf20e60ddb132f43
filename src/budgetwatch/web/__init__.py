"""web/: the service — pages, JSON API, downloads (FastAPI)."""
