"""The Dashboard tab: alerts (low stock, filament, licences), charts of sales, stock, filament and load."""

from desktop.tabs.dashboard.tab import DashboardTab

__all__ = ["DashboardTab"]
