"""Stall mode: the full-screen selling screen of a market event (`StallWindow`), opened from the Events
tab."""

from desktop.stall.window import StallWindow

__all__ = ["StallWindow"]
