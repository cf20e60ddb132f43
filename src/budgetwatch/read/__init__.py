"""read/: bytes → lines and cells. Nothing here knows what a budget table is."""
