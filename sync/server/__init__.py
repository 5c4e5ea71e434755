"""The cloud service: accounts, isolated storage and the sync endpoints (a later issue)."""
