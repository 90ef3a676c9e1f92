"""Which cached page a decided round's public list is, remembered by the round's slug.

The public list's whole page is cached for visitors (atgrant.pagecache) under a key that
changes with every decision (views_read.public._list_key): finding that key is the page's
one query. The key is also remembered here by the round's slug for KEY_TTL seconds, so a
visitor's request needs no query at all. Only a decided round's key is remembered (the list
of any other is a 404), so the one new decision it can have is a reconsideration, which
forgets the key once committed; a change of the round's name or budgets shows within KEY_TTL
seconds.
"""

from __future__ import annotations

from django.core.cache import cache
from django.db import transaction

KEY_TTL = 10


def _name(slug: str) -> str:
    return f"atgrant:public-list-key:{slug}"


def remembered_list_key(slug: str) -> str | None:
    value = cache.get(_name(slug))
    return value if isinstance(value, str) else None


def remember_list_key(slug: str, key: str) -> None:
    cache.set(_name(slug), key, KEY_TTL)


def forget_list_key_on_commit(slug: str) -> None:
    transaction.on_commit(lambda: cache.delete(_name(slug)))
