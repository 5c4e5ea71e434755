"""The sync engine inside the app: outbox push, pull, file transfer, credentials (a later issue)."""
