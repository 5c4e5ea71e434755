"""The local data folder: the content-addressed file store."""
