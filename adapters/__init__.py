"""The edges: REST, portal pages and CLI in, database and outbound clients out.

``bootstrap`` is the one composition root that wires the core for each entry point.
"""
