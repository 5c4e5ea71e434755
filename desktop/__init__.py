"""The PySide6 app: the main window, one package per tab, Qt item models, workers and the 3D viewer."""
