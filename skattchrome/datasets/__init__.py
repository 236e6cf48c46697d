"""Datasets: the built-in simulator and loaders for published and user data."""

from ._base import REFERENCE_MARKS, bin_offsets

__all__ = [
    "REFERENCE_MARKS",
    "bin_offsets",
]
