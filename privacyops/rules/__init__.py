"""The rules behind the numbers, as pure functions: no database, no clock, nothing else of ours.

Each function cites the rule it implements (docs/rules.md). Layer 0: imports nothing of ours.
"""
