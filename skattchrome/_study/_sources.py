"""Where the cell types of a study come from: simulated, a folder, the archive."""

import string
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd
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
from ..model_selection import ChromosomeKFold
from ..preprocessing import log_expression, read_tss


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

SPLITS = ("published", "chromosomes")
"""How a :class:`DataSource` splits each cell type's genes."""


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
    expression : str, default=None
        A CSV table of expression values for regression, read by
        :func:`read_expression`: a ``gene_id`` column and a column per cell
        type. Simulated cell types carry the simulator's expression instead.
    expression_column : str, default="{cell}"
        The column of a cell type in ``expression``; ``{cell}``, its only
        placeholder, stands for its name, as in ``"{cell}_rpkm"``.
    log1p : bool, default=False
        Take ``log1p`` of the values read from ``expression`` (for RPKM or
        TPM).
    split : {"published", "chromosomes"}, default="published"
        ``"published"`` keeps the train, valid and test genes of the source.
        ``"chromosomes"`` pools them and splits them again into three parts
        of whole chromosomes (the three folds of
        :class:`~skattchrome.model_selection.ChromosomeKFold`, balanced by
        gene count): test, valid and train, so that no chromosome of the test
        genes was trained on.
    chromosomes : str, default=None
        For ``split="chromosomes"``, the chromosome of each gene, read by
        :func:`read_chromosomes`.

    Examples
    --------
    >>> from skattchrome._study import DataSource
    >>> source = DataSource("simulated", n_genes=30, n_bins=10)
    >>> source.cells()
    ['SIM01', 'SIM02', 'SIM03']
    >>> splits = source.load("SIM02")
    >>> splits["train"].data.shape, splits["test"].gene_ids[0]
    ((10, 10, 5), 'SIM02-00020')
    >>> splits["train"].expression.shape
    (10,)
    """

    kind: str
    path: str | None = None
    n_genes: int | None = None
    n_bins: int = 100
    expression: str | None = None
    expression_column: str = "{cell}"
    log1p: bool = False
    split: str = "published"
    chromosomes: str | None = None

    def __post_init__(self):
        if self.kind not in DATA_KINDS:
            raise ValueError(f"kind must be one of {DATA_KINDS}; got {self.kind!r}.")
        if self.kind == "folder" and self.path is None:
            raise ValueError("A 'folder' data source needs a path.")
        if self.kind == "simulated" and self.expression is not None:
            raise ValueError(
                "Simulated cell types carry their own expression; an expression "
                "table goes with a folder or the archive."
            )
        if self.split not in SPLITS:
            raise ValueError(f"split must be one of {SPLITS}; got {self.split!r}.")
        expression_column(self.expression_column, "E000")
        if self.split == "chromosomes" and (
            self.kind == "simulated" or self.chromosomes is None
        ):
            raise ValueError(
                "split='chromosomes' needs the chromosome of each gene: a folder "
                "or the archive, with a chromosomes table."
            )

    def cells(self):
        """The built-in simulated names, the subfolders of ``path`` that have a
        ``classification`` folder (sorted), or the 56 archive ids."""
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
        """The three splits of the cell type ``cell``, one of :meth:`cells`.

        Returns
        -------
        splits : dict of {str: Bunch}
            ``"train"``, ``"valid"`` and ``"test"``, each a Bunch with
            ``data`` (n_genes, n_bins, n_marks), ``target``, ``gene_ids``,
            ``mark_names`` and ``bin_offsets``, as :func:`load_remc` gives,
            and ``expression`` (n_genes,): the simulated expression, the
            values of the ``expression`` table, or None.
        """
        if self.kind == "simulated":
            return self._simulate(cell)
        if self.kind == "remc":
            load = partial(fetch_remc, cell, data_home=self.path, progress=False)
        else:
            load = partial(load_remc, Path(self.path) / cell)
        splits = {subset: load(subset) for subset in SUBSETS}
        column = expression_column(self.expression_column, cell)
        for split in splits.values():
            split.expression = None
            if self.expression is not None:
                split.expression = read_expression(
                    self.expression, column, split.gene_ids, log1p=self.log1p
                )
        if self.split == "chromosomes":
            return self._split_by_chromosome(splits)
        return splits

    def _split_by_chromosome(self, splits):
        """The pooled genes, split again into thirds of whole chromosomes."""
        pooled = {
            field: None
            if splits["train"][field] is None
            else np.concatenate([split[field] for split in splits.values()])
            for field in ("data", "target", "gene_ids", "expression")
        }
        pooled["chromosomes"] = read_chromosomes(self.chromosomes, pooled["gene_ids"])
        folds = ChromosomeKFold(n_splits=len(SUBSETS)).split(
            pooled["data"], groups=pooled["chromosomes"]
        )
        parts = {
            subset: test
            for subset, (_, test) in zip(("test", "valid", "train"), folds, strict=True)
        }
        return _subsets(
            pooled, parts, splits["train"].mark_names, splits["train"].bin_offsets
        )

    def _simulate(self, cell):
        if cell not in SIMULATED_CELLS:
            raise ValueError(
                f"Unknown simulated cell type {cell!r}; the built-in ones are "
                f"{', '.join(SIMULATED_CELLS)}."
            )
        built_in = SIMULATED_CELLS[cell]
        n_genes = self.n_genes or built_in.n_genes
        X, y, expression = make_chromatin_data(
            n_genes=n_genes,
            n_bins=self.n_bins,
            random_state=built_in.seed,
            label_noise=built_in.label_noise,
            genomic_order=True,
            return_expression=True,
        )
        gene_ids = np.array([f"{cell}-{index:05d}" for index in range(n_genes)], object)
        parts = np.array_split(np.arange(n_genes), len(SUBSETS))
        return _subsets(
            {"data": X, "target": y, "expression": expression, "gene_ids": gene_ids},
            dict(zip(SUBSETS, parts, strict=True)),
            list(REFERENCE_MARKS),
            bin_offsets(self.n_bins),
        )


def _subsets(pooled, parts, mark_names, offsets):
    """The splits of :data:`SUBSETS`: the rows ``parts[subset]`` of each array of
    ``pooled`` (None stays None), with the names of the marks and the bins."""
    return {
        subset: Bunch(
            **{
                field: None if values is None else values[parts[subset]]
                for field, values in pooled.items()
            },
            mark_names=mark_names,
            bin_offsets=offsets,
        )
        for subset in SUBSETS
    }


def expression_column(template, cell):
    """The column of ``cell`` in an expression table: ``template`` for ``cell``.

    ``{cell}`` in ``template`` stands for the cell type's name, with an
    optional format spec (``{cell:>4}``); ``{{`` and ``}}`` write braces.
    Raises ValueError, naming the template, for any other placeholder
    (``{cells}``, ``{0}``, ``{}``, ``{cell.upper}``) or a lone brace.
    """
    try:
        for _, field, _, _ in string.Formatter().parse(template):
            if field is not None and field != "cell":
                raise ValueError(f"unknown placeholder {{{field}}}")
        return template.format(cell=cell)
    except (KeyError, IndexError) as error:
        problem = f"unknown placeholder in a format spec ({error})"
    except ValueError as error:
        problem = error
    raise ValueError(
        f"The expression column {template!r} is not a column name: {problem}; "
        "{cell}, the name of the cell type, is its only placeholder (write {{ and "
        "}} for a brace)."
    )


def _read_table(path, kind, dtype):
    """A CSV table read with pandas, its parsing errors naming ``path``."""
    try:
        return pd.read_csv(path, dtype=dtype)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeError) as error:
        raise ValueError(
            f"The {kind} table {path} cannot be read as a CSV table: {error}"
        ) from None


def read_expression(path, column, gene_ids, *, log1p=False):
    """The values of ``column`` of a CSV table for ``gene_ids``, as a float array.

    The table has a ``gene_id`` column; ids made only of digits match with or
    without leading zeros (the published archive writes both ``000003`` and
    ``3``). ``log1p`` takes :func:`~skattchrome.preprocessing.log_expression`
    of the values (for RPKM or TPM). Raises ValueError if the table lacks a
    column, a gene has no finite value, or rows of one gene disagree.
    """
    table = _read_table(path, "expression", {"gene_id": str})
    if "gene_id" not in table:
        raise ValueError(f"The expression table {path} has no gene_id column.")
    if column not in table:
        columns = [name for name in table.columns if name != "gene_id"]
        raise ValueError(
            f"The expression table {path} has no column {column!r}; it has "
            f"{', '.join(columns[:20])}."
        )
    values = pd.to_numeric(table[column], errors="coerce").replace(
        [np.inf, -np.inf], np.nan
    )
    expression = _in_gene_order(
        values,
        table["gene_id"],
        gene_ids,
        f"no numeric value in column {column!r} of {path}",
        f"The expression table {path}",
    ).astype(np.float64)
    return log_expression(expression) if log1p else expression


def read_chromosomes(path, gene_ids):
    """The chromosome of each of ``gene_ids``, as an object array.

    ``path`` is a BED or GTF file of TSSs (``.bed``, ``.gtf``, optionally
    ``.gz``) as :func:`~skattchrome.preprocessing.read_tss` reads them, or a
    CSV table with columns ``gene_id`` and ``chrom``; ids match as in
    :func:`read_expression`. Raises ValueError if the table lacks a column or
    a gene has no chromosome.
    """
    if {".bed", ".gtf"} & set(Path(path).suffixes):
        table = read_tss(path)
    else:
        table = _read_table(path, "chromosomes", {"gene_id": str, "chrom": str})
    missing_columns = [name for name in ("gene_id", "chrom") if name not in table]
    if missing_columns:
        raise ValueError(
            f"The chromosomes table {path} has no column {missing_columns}; it needs "
            "gene_id and chrom."
        )
    return _in_gene_order(
        table["chrom"],
        table["gene_id"],
        gene_ids,
        f"no chromosome in {path}",
        f"The chromosomes table {path}",
    ).astype(object)


def _in_gene_order(values, table_ids, gene_ids, missing, table):
    """The values of a table's column in the order of ``gene_ids``.

    Ids are matched by :func:`_gene_key`; a repeated id counts once if its
    rows agree. Raises ValueError naming the genes without a value (NaN or
    absent) as genes that have ``missing``, and those of ``gene_ids`` that
    ``table`` (its description, in errors) gives different values.
    """
    by_gene = pd.Series(
        np.asarray(values), index=[_gene_key(gene) for gene in table_ids]
    )
    wanted = [_gene_key(gene) for gene in gene_ids]
    repeated = by_gene[
        by_gene.index.duplicated(keep=False) & by_gene.index.isin(wanted)
    ]
    conflicting = repeated.groupby(level=0).nunique(dropna=False) > 1
    if conflicting.any():
        raise ValueError(
            f"{table} gives {int(conflicting.sum())} gene(s) different values in "
            f"several rows, such as {conflicting.index[conflicting][:5].tolist()} "
            "(ids of digits match with or without leading zeros); give each gene "
            "one row."
        )
    found = by_gene[~by_gene.index.duplicated()].reindex(wanted)
    absent = found.isna().to_numpy()
    if absent.any():
        examples = np.asarray(gene_ids, dtype=object)[absent][:5].tolist()
        raise ValueError(
            f"{int(absent.sum())} of {len(found)} genes have {missing}, such as "
            f"{examples}."
        )
    return found.to_numpy()


def _gene_key(gene):
    """A gene id, without the leading zeros of an id made only of digits."""
    gene = str(gene)
    return gene.lstrip("0") or "0" if gene.isdigit() else gene
