"""The demo data generator (SQL). Layer 3.
"""
