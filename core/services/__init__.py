"""Business operations. Each public function is one user action: one transaction, with its audit entry.

Services take a `Workspace`, check their input, raise the typed errors of `core.errors`, and return plain
dataclasses (`core.services.views`), never ORM objects.
"""
