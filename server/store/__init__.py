"""Storage: prospects and watched backlinks in SQLite (default) or PostgreSQL."""
