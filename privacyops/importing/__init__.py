"""File imports: read -> parse -> check -> find repeats -> write -> report. Layer 3.
"""
