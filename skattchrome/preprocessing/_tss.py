"""Transcription start sites from a table, a BED or a GTF file."""

import csv
import gzip
import io
from os import PathLike
from pathlib import Path

import numpy as np
import pandas as pd

from .._validation import SHOWN_IN_ERRORS

_TSS_COLUMNS = ("gene_id", "chrom", "tss", "strand")
_GTF_COLUMNS = "chrom source feature start end score strand frame attributes".split()


def read_tss(tss):
    r"""Read each gene's transcription start site, chromosome and strand.

    The genes that :func:`bin_bigwig` bins, read and checked the same way
    and in the same order, so that row ``i`` of the table is the gene of row
    ``i`` of ``bin_bigwig``'s ``X``. Its ``chrom`` column gives the
    ``groups`` that :class:`~skattchrome.model_selection.ChromosomeKFold`
    needs to hold out whole chromosomes.

    Parameters
    ----------
    tss : pandas.DataFrame or str or path-like
        A DataFrame with columns ``gene_id``, ``chrom``, ``tss`` (0-based
        position of the TSS base) and ``strand`` (``"+"`` or ``"-"``), or the
        path of a BED6 file (``.bed``, ``.bed.gz``; TSS = start for ``+``,
        end - 1 for ``-``; name = gene id) or of a GTF file (``.gtf``,
        ``.gtf.gz``; its ``gene`` records, TSS = start - 1 for ``+``, end - 1
        for ``-``, gene id from the ``gene_id`` attribute). Comment, ``track``
        and ``browser`` lines are skipped.

    Returns
    -------
    genes : pandas.DataFrame
        One row per gene, in the order of ``tss``, with a new
        :class:`~pandas.RangeIndex` and the columns ``gene_id`` (str),
        ``chrom`` (str, the name as written, for example ``"chr1"`` or
        ``"1"``), ``tss`` (int64, 0-based) and ``strand`` (``"+"`` or
        ``"-"``); other columns of a DataFrame are left out.

    Raises
    ------
    TypeError
        If ``tss`` is neither a DataFrame nor a path.
    ValueError
        If the file's format cannot be told from its name, a DataFrame lacks
        a column, a BED file has fewer than six columns, a GTF file has no
        ``gene`` records or one without a ``gene_id``, or the table has
        missing values, a strand other than ``"+"``/``"-"``, a negative or
        non-integer TSS, or duplicated gene ids.

    See Also
    --------
    bin_bigwig : The binned signal of the same genes.
    skattchrome.model_selection.ChromosomeKFold : Folds of whole chromosomes.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from skattchrome.preprocessing import read_tss
    >>> folder = tempfile.TemporaryDirectory()
    >>> bed = Path(folder.name) / "genes.bed"
    >>> _ = bed.write_text(
    ...     "chr1\t100\t900\tA\t0\t+\n"
    ...     "chr1\t2000\t3000\tB\t0\t-\n"
    ...     "chrX\t500\t800\tC\t0\t+\n"
    ... )
    >>> genes = read_tss(bed)
    >>> genes
      gene_id chrom   tss strand
    0       A  chr1   100      +
    1       B  chr1  2999      -
    2       C  chrX   500      +

    The chromosomes of genes chosen by id, for example those with a
    measured expression, as the ``groups`` of a cross-validation:

    >>> genes.set_index("gene_id").loc[["C", "A"], "chrom"].tolist()
    ['chrX', 'chr1']
    >>> folder.cleanup()
    """
    if isinstance(tss, pd.DataFrame):
        absent = [column for column in _TSS_COLUMNS if column not in tss.columns]
        if absent:
            raise ValueError(
                f"tss lacks the column(s) {', '.join(absent)}; it needs "
                f"{', '.join(_TSS_COLUMNS)}."
            )
        genes = tss.loc[:, list(_TSS_COLUMNS)].reset_index(drop=True)
        source = "tss"
    elif isinstance(tss, str | PathLike):
        path = Path(tss)
        name = path.name.lower()
        if name.endswith((".bed", ".bed.gz")):
            genes = _read_bed(path)
        elif name.endswith((".gtf", ".gtf.gz")):
            genes = _read_gtf(path)
        else:
            raise ValueError(
                f"Cannot tell the format of {path}: name a BED file .bed or "
                ".bed.gz, or a GTF file .gtf or .gtf.gz."
            )
        source = str(path)
    else:
        raise TypeError(
            "tss must be a DataFrame or the path of a BED or GTF file, got "
            f"{type(tss).__name__}."
        )
    return _validate_tss(genes, source)


def _read_table(path, **options):
    """Tab-separated ``path`` (gzip or not) without comment, track or browser lines."""
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    with opener(path, "rt") as handle:
        text = "".join(
            line
            for line in handle
            if line.strip() and not line.startswith(("#", "track", "browser"))
        )
    return pd.read_csv(io.StringIO(text), sep="\t", header=None, **options)


def _genes(gene_id, chrom, start, end, strand):
    """The TSS table of features on ``[start, end)``: the 5' base of each."""
    tss = np.where(strand == "-", end - 1, start)
    return pd.DataFrame(
        {"gene_id": gene_id, "chrom": chrom, "tss": tss, "strand": strand}
    )


def _read_bed(path):
    table = _read_table(path, dtype={0: str, 3: str})
    if table.shape[1] < 6:
        raise ValueError(
            f"{path} has {table.shape[1]} columns; a BED6 file (chrom, start, "
            "end, name, score, strand) is needed for the gene ids and strands."
        )
    return _genes(table[3], table[0], table[1], table[2], table[5])


def _read_gtf(path):
    table = _read_table(
        path,
        names=_GTF_COLUMNS,
        dtype={"chrom": str, "attributes": str},
        quoting=csv.QUOTE_NONE,
    )
    table = table[table["feature"] == "gene"].reset_index(drop=True)
    if table.empty:
        raise ValueError(f"{path} has no 'gene' records.")
    gene_id = table["attributes"].str.extract(r'gene_id "([^"]*)"', expand=False)
    if gene_id.isna().any():
        lines = table.loc[gene_id.isna(), "attributes"].head(SHOWN_IN_ERRORS).tolist()
        raise ValueError(f"{path}: gene records without a gene_id: {lines}")
    # GTF positions are 1-based and inclusive: the feature is [start - 1, end).
    return _genes(
        gene_id, table["chrom"], table["start"] - 1, table["end"], table["strand"]
    )


def _validate_tss(genes, source):
    incomplete = genes.isna().any(axis=1)
    if incomplete.any():
        raise ValueError(
            f"{source}: missing values in rows "
            f"{genes.index[incomplete][:SHOWN_IN_ERRORS].tolist()}."
        )
    genes = genes.assign(gene_id=genes["gene_id"].astype(str))
    bad_strand = ~genes["strand"].isin(["+", "-"])
    if bad_strand.any():
        raise ValueError(
            f"{source}: strand must be '+' or '-'; genes "
            f"{genes.loc[bad_strand, 'gene_id'][:SHOWN_IN_ERRORS].tolist()} have "
            f"{sorted(genes.loc[bad_strand, 'strand'].astype(str).unique())}."
        )
    position = pd.to_numeric(genes["tss"], errors="coerce")
    bad_tss = position.isna() | (position < 0) | (position % 1 != 0)
    if bad_tss.any():
        raise ValueError(
            f"{source}: tss must be a non-negative integer; genes "
            f"{genes.loc[bad_tss, 'gene_id'][:SHOWN_IN_ERRORS].tolist()} have "
            f"{genes.loc[bad_tss, 'tss'][:SHOWN_IN_ERRORS].tolist()}."
        )
    duplicated = genes["gene_id"].duplicated(keep=False)
    if duplicated.any():
        raise ValueError(
            f"{source}: duplicated gene ids "
            f"{sorted(genes.loc[duplicated, 'gene_id'].unique())[:SHOWN_IN_ERRORS]}; "
            "give each TSS its own id."
        )
    return genes.assign(chrom=genes["chrom"].astype(str), tss=position.astype(np.int64))
