"""Use cases: each runs inside one unit of work and leaves state, audit and events consistent."""
