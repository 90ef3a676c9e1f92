"""manage.py import_plans FILE --round SLUG: the plan per region from a CSV file."""

from __future__ import annotations

from submissions.baselines import plan_import_stage
from submissions.management.commands._baseline_command import FileImportCommand


class Command(FileImportCommand):
    help = (
        "Import the plan per region (CSV: länskod;plan, the plan as written, e.g. 84-89) "
        "into a draft or open round's baselines."
    )
    stage = plan_import_stage
    done = (
        "{count} regioners planeringsunderlag införda i {slug} ({changes}; "
        "SHA-256 {staged.sha256})."
    )
