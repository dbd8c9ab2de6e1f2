"""File imports, one linear pipeline (pipeline.py): read -> check (parse and check) -> repeats -> rejects -> write
-> report -> runs, each step a module. Layer 3.
"""
