"""The tendering lifecycle of a section: rounds, registration, sealed bids, the deadline."""
