"""The password hasher: Argon2id at OWASP's recommended configuration.

Django's own Argon2 hasher (argon2-cffi) with its parameters set, the way Django's
documentation describes changing them. OWASP's Password Storage Cheat Sheet recommends Argon2id
with at least 19 MiB of memory, 2 iterations and 1 degree of parallelism; it rates that as strong
as PBKDF2-HMAC-SHA256 at 600 000 iterations. Django's defaults (100 MiB, parallelism 8; or PBKDF2
at 1 000 000 iterations) cost about ten times the CPU per login for no stated gain, and a
login's hash was what held the deadline rush's latency up (README, Benchmarks). Passwords
hashed before are still accepted and rehashed with this one at the next login (Django upgrades
a hash whose hasher is not the first of PASSWORD_HASHERS, or whose parameters differ).
"""

from __future__ import annotations

from django.contrib.auth.hashers import Argon2PasswordHasher


class Argon2idHasher(Argon2PasswordHasher):
    """Argon2id, 19 MiB (19 456 KiB), time cost 2, parallelism 1 (OWASP)."""

    time_cost = 2
    memory_cost = 19_456  # KiB
    parallelism = 1
