"""manage.py import_population FILE --round SLUG: SCB's FolkmängdNov, as JSON or CSV."""

from __future__ import annotations

from submissions.baselines import population_import_stage
from submissions.management.commands._baseline_command import FileImportCommand


class Command(FileImportCommand):
    help = (
        "Import the population on 1 November (SCB table FolkmängdNov, the PxWeb API's JSON "
        "answer or SCB's CSV download) into a draft or open round's baselines."
    )
    stage = population_import_stage
    done = (
        "{count} regioners befolkning 1 november {staged.population_year} införd i {slug}"
        " ({changes}; SHA-256 {staged.sha256})."
    )
