"""Data-set definitions: one JSON file per national data set (package data, no code)."""
