"""Accounts of the cloud service: passwords, tokens, one-time codes, mail and rate limits.

`service.AccountService` is the one entry point the HTTP layer calls; everything it stores goes through the
`repository.AccountsRepository` Protocol, so the logic is the same on the in-memory store of the tests and
on PostgreSQL's `auth` schema.
"""
