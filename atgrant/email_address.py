"""The one stored and compared form of an e-mail address (see atgrant.accounts)."""

from __future__ import annotations


def canonical_email(value: str | None) -> str:
    """The stored and compared form of an e-mail address: stripped and lowercased.

    ``"  Handlaggare.Ett@Myndighet.SE "`` → ``"handlaggare.ett@myndighet.se"``; None → "".
    """
    return (value or "").strip().lower()


def canonicalise_user_email(sender, instance, **kwargs) -> None:  # noqa: ANN001
    """pre_save: write the model's ``email`` field in canonical form."""
    email = getattr(instance, "email", None)
    if isinstance(email, str):
        instance.email = canonical_email(email)
