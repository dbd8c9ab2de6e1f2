"""The analysts' read-only SQL sandbox over pseudonymised snapshots. Layer 3.
"""
