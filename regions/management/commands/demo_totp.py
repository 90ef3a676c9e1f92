"""Print the current TOTP code of the demo officer and auditor (the printed demo secret only)."""

from __future__ import annotations

import time

from allauth.mfa import app_settings
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core.management.base import BaseCommand

from regions.demo import DEMO_TOTP_SECRET


class Command(BaseCommand):
    help = "Print the current code for the demo TOTP secret (demo users only)."

    def handle(self, *args: object, **options: object) -> None:
        now = int(time.time())
        counter, elapsed = divmod(now, app_settings.TOTP_PERIOD)
        code = format_hotp_value(hotp_value(DEMO_TOTP_SECRET, counter))
        self.stdout.write(f"{code}  (valid {app_settings.TOTP_PERIOD - elapsed} s more)")
