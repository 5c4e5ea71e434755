"""The tabs of the main window, one module (or package) each."""
