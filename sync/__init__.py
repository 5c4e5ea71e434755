"""Sync: the engine inside the app (client/) and the cloud service (server/). Never imports Qt."""
