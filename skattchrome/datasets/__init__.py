"""Datasets: the built-in simulator and loaders for published and user data."""

from ._archive import cell_types, fetch_remc
from ._base import REFERENCE_MARKS, bin_offsets
from ._remc import load_remc
from ._simulated import make_chromatin_data

__all__ = [
    "REFERENCE_MARKS",
    "bin_offsets",
    "cell_types",
    "fetch_remc",
    "load_remc",
    "make_chromatin_data",
]
