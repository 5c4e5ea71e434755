"""The interactive 3D viewer of a model's mesh: OpenGL where available, the CPU picture where not.

`ModelViewer` is the widget; `show_preview` opens it in a non-modal window with a toolbar.
"""

from desktop.viewer.dialog import PreviewDialog, show_preview
from desktop.viewer.widget import ModelViewer

__all__ = ["ModelViewer", "PreviewDialog", "show_preview"]
