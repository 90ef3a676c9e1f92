"""Allocation models as data (RULES.md): read a model, run it over the participants.

No Django import anywhere in this package. ``allocation.engine`` keeps the input row
(``RegionInput``), ``InputError`` and ``AllocationWarning``, which are reused here.
"""

from allocation.allocmodel.errors import ModelError
from allocation.allocmodel.evaluate import (
    BlockOutcome,
    ModelAllocation,
    RegionBlock,
    RegionOutcome,
    allocate,
)
from allocation.allocmodel.model import INPUT_NAMES, AllocationModel, Block, model_2024

__all__ = [
    "INPUT_NAMES",
    "AllocationModel",
    "Block",
    "BlockOutcome",
    "ModelAllocation",
    "ModelError",
    "RegionBlock",
    "RegionOutcome",
    "allocate",
    "model_2024",
]
