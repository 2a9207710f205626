"""Extraction of certificates and endorsements, requirement checks and decisions (Qt-free)."""
