"""Builders of state through the use cases (see tender.py), shared by the service-level tests."""
