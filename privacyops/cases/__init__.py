"""Use cases: what a person does (log a request, change a customer, grant a role, export, anonymise).
Rules plus one write through the store. Layer 2.
"""
