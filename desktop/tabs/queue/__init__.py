"""The Print queue tab: jobs per printer in their order, estimates, and starting, finishing or failing jobs
with the spools the filament matching proposes."""

from desktop.tabs.queue.tab import QueueTab

__all__ = ["QueueTab"]
