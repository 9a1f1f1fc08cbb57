"""The hub engine: outbox relay, routed deliveries with retries, per-key order, inbox, replay.

The database is the queue of record; a broker (RabbitMQ through Celery) or an in-process thread
pool only carries delivery ids to workers, so a lost message is found again from the tables.
"""
