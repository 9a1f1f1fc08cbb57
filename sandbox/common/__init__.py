"""Plumbing the sandbox peers share: the SQLite file a peer keeps, and the queue of fault plans.

Nothing here knows a protocol. The peers stay written from their protocols, each on its own (see
``sandbox``); what they share is how a sandbox keeps state and misbehaves on request, so that a
fix there (a pragma, a race in consuming a plan) reaches every peer.
"""
