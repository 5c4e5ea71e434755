"""Signing in and syncing in the window: the controller over sync.client, the status bar, the panel, the
account dialog."""
