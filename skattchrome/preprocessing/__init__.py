"""Preprocessing: from bigWig tracks and expression values to model inputs."""

from ._bigwig import bin_bigwig
from ._labels import label_expression, log_expression
from ._tss import read_tss

__all__ = [
    "bin_bigwig",
    "label_expression",
    "log_expression",
    "read_tss",
]
