"""Tracker and Procore clients, the outbox, the sync engine and the sandbox servers (Qt-free)."""
