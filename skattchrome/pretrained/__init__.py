"""Trained models: the 55 published AttentiveChrome models, one per cell type.

The authors of AttentiveChrome published one trained network per REMC cell
type through the Kipoi model zoo; :func:`fetch_published` downloads one,
checks it and returns a fitted :class:`~skattchrome.AttentiveChromeClassifier`.
"""

from ._published import (
    CACHE_FOLDER,
    URL_VARIABLE,
    fetch_published,
    from_published_weights,
    published_cell_types,
)

__all__ = [
    "CACHE_FOLDER",
    "URL_VARIABLE",
    "fetch_published",
    "from_published_weights",
    "published_cell_types",
]
