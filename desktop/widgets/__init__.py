"""Small reusable widgets and painting helpers: colour swatches, weight bars, the undo bar, item models."""
