"""Outbound adapters: one per kind of external system, registered by kind in the registry."""
