"""Dialogs: the shared form machinery (inline errors, units) and dialogs not tied to one tab (printers)."""
