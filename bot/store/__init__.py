"""Persistence: the Store contract and its implementations."""
