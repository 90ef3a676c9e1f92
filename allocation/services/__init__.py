"""Writes of the allocation, by sub-domain: preparation (deductions and officer-entered values
before a run), runs (the officer's request and the worker's half) and decisions (issuing and
reconsidering).

Every function checks the actor and the round's state, writes in one transaction and records an
audit event with the values before and after.
"""
