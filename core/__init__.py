"""Printstall's domain: data model, local store, sync groundwork and business services. Never imports Qt."""

__version__ = "0.1.0"
