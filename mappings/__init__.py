"""Mappings between the hub's domain and external data standards (pure: no I/O beyond package data).

Sub-packages: ``standards`` — the national data-set definitions as data, and their validator.
"""
