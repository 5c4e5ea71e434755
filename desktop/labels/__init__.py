"""Labels with a QR code for spools and products: the print dialog with its preview, and the painter that
draws them on the screen and on a printer in the layout of core's PDF."""

from core.services.labels import arrange
from desktop.labels.dialog import LabelDialog, LabelPreview
from desktop.labels.painter import print_labels

__all__ = ["LabelDialog", "LabelPreview", "arrange", "print_labels"]
