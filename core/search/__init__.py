"""Full-text search without a PostgreSQL extension (docs/search.md)."""
