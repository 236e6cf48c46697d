"""Where the cell types of a study come from: simulated, a folder, the archive."""

from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import numpy as np
from sklearn.utils import Bunch

from ..datasets import (
    REFERENCE_MARKS,
    bin_offsets,
    cell_types,
    fetch_remc,
    load_remc,
    make_chromatin_data,
)
from ..datasets._remc import SUBSETS


class SimulatedCell(NamedTuple):
    """A built-in simulated cell type: its size, seed and difficulty."""

    n_genes: int
    seed: int
    label_noise: float


SIMULATED_CELLS = {
    "SIM01": SimulatedCell(n_genes=1200, seed=1, label_noise=0.35),
    "SIM02": SimulatedCell(n_genes=900, seed=2, label_noise=0.6),
    "SIM03": SimulatedCell(n_genes=600, seed=3, label_noise=1.0),
}
"""Built-in simulated cell types: name -> :class:`SimulatedCell`.

The genes of each are split in thirds (train, valid, test), as in the
published archive, with bins in genomic order as there. Their label noise
spreads their test ROC AUCs over the range of the published cell types (about
0.77 to 0.92): SIM01 is the easiest, SIM03 the hardest.
"""

DATA_KINDS = ("simulated", "folder", "remc")
"""The kinds of :class:`DataSource`."""


@dataclass(frozen=True)
class DataSource:
    """Where the cell types of a study come from, and how to load one.

    Parameters
    ----------
    kind : {"simulated", "folder", "remc"}
        ``"simulated"``: the built-in cell types of :data:`SIMULATED_CELLS`.
        ``"folder"``: the cell-type subfolders of ``path``, each holding
        ``classification/{train,valid,test}.csv`` as in the published archive.
        ``"remc"``: the published 56-cell-type archive, through
        :func:`~skattchrome.datasets.fetch_remc`.
    path : str, default=None
        The folder for ``"folder"``; the data home (cache) for ``"remc"``,
        where None means scikit-learn's default.
    n_genes : int, default=None
        Genes of every simulated cell type; None keeps the built-in sizes.
    n_bins : int, default=100
        100 bp bins per simulated gene.

    Examples
    --------
    >>> from skattchrome._study import DataSource
    >>> source = DataSource("simulated", n_genes=30, n_bins=10)
    >>> source.cells()
    ['SIM01', 'SIM02', 'SIM03']
    >>> splits = source.load("SIM02")
    >>> splits["train"].data.shape, splits["test"].gene_ids[0]
    ((10, 10, 5), 'SIM02-00020')
    """

    kind: str
    path: str | None = None
    n_genes: int | None = None
    n_bins: int = 100

    def __post_init__(self):
        if self.kind not in DATA_KINDS:
            raise ValueError(f"kind must be one of {DATA_KINDS}; got {self.kind!r}.")
        if self.kind == "folder" and self.path is None:
            raise ValueError("A 'folder' data source needs a path.")

    def cells(self):
        """Names of the cell types this source holds.

        Returns
        -------
        cells : list of str
            The built-in simulated names, the subfolders of ``path`` that have
            a ``classification`` folder (sorted), or the 56 archive ids.
        """
        if self.kind == "simulated":
            return list(SIMULATED_CELLS)
        if self.kind == "remc":
            return cell_types()["cell_type"].tolist()
        return sorted(
            entry.name
            for entry in Path(self.path).iterdir()
            if (entry / "classification").is_dir()
        )

    def load(self, cell):
        """The three splits of one cell type.

        Parameters
        ----------
        cell : str
            One of :meth:`cells`.

        Returns
        -------
        splits : dict of {str: Bunch}
            ``"train"``, ``"valid"`` and ``"test"``, each a Bunch with
            ``data`` (n_genes, n_bins, n_marks), ``target``, ``gene_ids``,
            ``mark_names`` and ``bin_offsets``, as :func:`load_remc` gives.
        """
        if self.kind == "simulated":
            return self._simulate(cell)
        if self.kind == "remc":
            return {
                subset: fetch_remc(cell, subset, data_home=self.path, progress=False)
                for subset in SUBSETS
            }
        return {subset: load_remc(Path(self.path) / cell, subset) for subset in SUBSETS}

    def _simulate(self, cell):
        if cell not in SIMULATED_CELLS:
            raise ValueError(
                f"Unknown simulated cell type {cell!r}; the built-in ones are "
                f"{', '.join(SIMULATED_CELLS)}."
            )
        built_in = SIMULATED_CELLS[cell]
        n_genes = self.n_genes or built_in.n_genes
        X, y = make_chromatin_data(
            n_genes=n_genes,
            n_bins=self.n_bins,
            random_state=built_in.seed,
            label_noise=built_in.label_noise,
            genomic_order=True,
        )
        gene_ids = np.array([f"{cell}-{index:05d}" for index in range(n_genes)])
        parts = np.array_split(np.arange(n_genes), len(SUBSETS))
        return {
            subset: Bunch(
                data=X[part],
                target=y[part],
                gene_ids=gene_ids[part].astype(object),
                mark_names=list(REFERENCE_MARKS),
                bin_offsets=bin_offsets(self.n_bins),
            )
            for subset, part in zip(SUBSETS, parts, strict=True)
        }
