"""Every e-mail of the service says who sends it and how to reach the agency, and names
people by name (issue 15, item 19)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string

from atgrant.templatetags.atgrant_mail import agency_signature, person
from tests.factories import UserFactory

TEMPLATES = Path(settings.BASE_DIR) / "templates"


def test_every_message_template_signs_with_the_agency_and_its_contact():
    bodies = [
        *TEMPLATES.glob("*/email/*message*.txt"),
        *TEMPLATES.glob("submissions/email/*.txt"),
    ]
    unsigned = []
    for path in bodies:
        text = path.read_text()
        if "{% agency_signature %}" in text:
            continue
        if text.startswith(('{% extends "account/email/base_', '{% include "account/email/')):
            continue  # signed by its base (base_notification extends base_message)
        unsigned.append(str(path.relative_to(TEMPLATES)))
    assert unsigned == []


def test_the_signature_names_the_agency_and_how_to_reach_it(settings):
    settings.ATGRANT_AGENCY_EMAIL = "registrator@myndigheten.example.se"
    settings.ATGRANT_AGENCY_PHONE = "010-123 45 67"
    text = agency_signature()
    assert settings.ATGRANT_AGENCY_NAME in text
    assert "registrator@myndigheten.example.se" in text and "010-123 45 67" in text
    assert settings.ATGRANT_AGENCY_WEBSITE in text


def test_a_password_reset_mail_is_signed(db):
    body = render_to_string(
        "account/email/password_reset_key_message.txt",
        {"password_reset_url": "https://x/reset", "user": UserFactory()},
    )
    assert settings.ATGRANT_AGENCY_EMAIL in body


def test_people_are_named_by_name_with_the_address_beside_it(db):
    named = UserFactory(email="kim@region.example.se", first_name="Kim", last_name="Andersson")
    assert person(named) == "Kim Andersson (kim@region.example.se)"
    assert person(UserFactory(email="utan.namn@region.example.se")) == "utan.namn@region.example.se"
