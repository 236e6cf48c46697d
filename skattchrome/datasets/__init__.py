"""Datasets: the built-in simulator and loaders for published and user data."""

from ._base import REFERENCE_MARKS, bin_offsets
from ._remc import load_remc

__all__ = [
    "REFERENCE_MARKS",
    "bin_offsets",
    "load_remc",
]
