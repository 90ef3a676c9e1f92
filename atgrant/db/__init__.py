"""atgrant's PostgreSQL backend: Django's, with a cheaper health check (atgrant.db.base)."""
