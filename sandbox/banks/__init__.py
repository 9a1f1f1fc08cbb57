"""Sandbox banks, one per bank profile, each written from its protocol document in docs/banks/."""
