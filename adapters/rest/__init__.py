"""The REST API (FastAPI): thin routes over the core's use cases."""
