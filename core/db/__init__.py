"""Persistence shared by the trading core: the declarative base and column types."""
