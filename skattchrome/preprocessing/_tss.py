"""Transcription start sites from a table, a BED or a GTF file."""

import gzip
import zlib
from os import PathLike
from pathlib import Path

import numpy as np
import pandas as pd

from .._validation import SHOWN_IN_ERRORS

_TSS_COLUMNS = ("gene_id", "chrom", "tss", "strand")
_GTF_COLUMNS = "chrom source feature start end score strand frame attributes".split()
_INT64_MIN, _INT64_MAX = int(np.iinfo(np.int64).min), int(np.iinfo(np.int64).max)


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
        a column, a file is not text or has no records (empty, or only
        comments), a BED line has fewer than six columns or a GTF line other
        than nine, a start or end is not an integer within int64 (a header
        line, for example) or a start is after its end, a GTF file has no
        ``gene`` records or one without a ``gene_id``, or the table has
        missing values, a strand other than ``"+"``/``"-"``, a TSS that is
        not a non-negative integer within int64, or duplicated gene ids. The
        errors of a file name it and the line (1-based); those of a
        DataFrame name the rows (numbered from 0).

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
        source, unit = "tss", "rows"
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
        source, unit = str(path), "lines"
    else:
        raise TypeError(
            "tss must be a DataFrame or the path of a BED or GTF file, got "
            f"{type(tss).__name__}."
        )
    return _validate_tss(genes, source, unit)


def _records(path, n_columns, description, *, exact):
    """The data lines of the tab-separated ``path`` (gzip or not), as text fields.

    Comment (``#``), ``track`` and ``browser`` lines and blank lines are
    skipped. Each data line needs ``n_columns`` fields, at least (``exact``
    False, the first ``n_columns`` are kept) or exactly. Returns a DataFrame
    of the fields, indexed by the 1-based line number of each record; a file
    that is not text, a line with the wrong number of fields or a file
    without records raises a ValueError naming the file (and the line).
    """
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    line_numbers, rows = [], []
    try:
        with opener(path, "rb") as handle:
            for line_number, raw_line in enumerate(handle, start=1):
                try:
                    line = raw_line.decode("utf-8")
                except UnicodeDecodeError:
                    raise ValueError(
                        f"{path}, line {line_number}: not text (bytes that are not "
                        "UTF-8); expected a tab-separated file, gzip-compressed "
                        "only when its name ends in .gz."
                    ) from None
                if not line.strip() or line.startswith(("#", "track", "browser")):
                    continue
                fields = line.rstrip("\r\n").split("\t")
                if len(fields) < n_columns or (exact and len(fields) > n_columns):
                    raise ValueError(
                        f"{path}, line {line_number}: has {len(fields)} columns; "
                        f"{description}."
                    )
                line_numbers.append(line_number)
                rows.append(fields[:n_columns])
    except (gzip.BadGzipFile, EOFError, zlib.error) as error:
        raise ValueError(f"{path}: not a readable gzip file ({error}).") from None
    if not rows:
        raise ValueError(
            f"{path}: no records; the file is empty or holds only comment, "
            "track and browser lines."
        )
    return pd.DataFrame(rows, index=line_numbers)


def _coordinates(path, records, column, name):
    """Column ``column`` of ``records`` as int64, each an integer within int64.

    A field that is not such an integer raises a ValueError naming the file
    and its line; on the first record it may be a header, which is said.
    """
    values = []
    for line_number, text in records[column].items():
        digits = text.strip().removeprefix("-")
        value = int(text) if digits.isascii() and digits.isdigit() else None
        if value is None or not _INT64_MIN <= value <= _INT64_MAX:
            header = (
                " (a header line? Remove it, or start it with '#')"
                if line_number == records.index[0] and value is None
                else ""
            )
            raise ValueError(
                f"{path}, line {line_number}: {name} {text!r} is not an integer "
                f"within int64{header}."
            )
        values.append(value)
    return pd.Series(values, index=records.index, dtype=np.int64)


def _check_order(path, start, end):
    """Refuse, naming the file and line, a feature whose start is after its end."""
    reversed_ = start > end
    if reversed_.any():
        line_number = reversed_.index[reversed_.to_numpy()][0]
        raise ValueError(
            f"{path}, line {line_number}: start {start[line_number]} is after end "
            f"{end[line_number]}; a feature needs start <= end."
        )


def _genes(gene_id, chrom, start, end, strand):
    """The TSS table of features on ``[start, end)``: the 5' base of each."""
    tss = np.where(strand == "-", end - 1, start)
    return pd.DataFrame(
        {"gene_id": gene_id, "chrom": chrom, "tss": tss, "strand": strand},
        index=gene_id.index,
    )


def _read_bed(path):
    table = _records(
        path,
        6,
        "a BED6 file (chrom, start, end, name, score, strand) is needed for the "
        "gene ids and strands",
        exact=False,
    )
    start = _coordinates(path, table, 1, "start")
    end = _coordinates(path, table, 2, "end")
    _check_order(path, start, end)
    return _genes(table[3], table[0], start, end, table[5])


def _read_gtf(path):
    table = _records(
        path,
        len(_GTF_COLUMNS),
        f"a GTF line has {len(_GTF_COLUMNS)} tab-separated columns "
        f"({', '.join(_GTF_COLUMNS)})",
        exact=True,
    )
    table.columns = _GTF_COLUMNS
    table = table[table["feature"] == "gene"]
    if table.empty:
        raise ValueError(f"{path} has no 'gene' records.")
    gene_id = table["attributes"].str.extract(r'gene_id "([^"]*)"', expand=False)
    if gene_id.isna().any():
        lines = gene_id.index[gene_id.isna()][:SHOWN_IN_ERRORS].tolist()
        raise ValueError(f"{path}: gene records without a gene_id at lines {lines}.")
    # GTF positions are 1-based and inclusive: the feature is [start - 1, end).
    start = _coordinates(path, table, "start", "start")
    end = _coordinates(path, table, "end", "end")
    _check_order(path, start, end)
    return _genes(gene_id, table["chrom"], start - 1, end, table["strand"])


def _within_int64(position):
    """Mask of the numeric ``position`` values that int64 holds."""
    if position.dtype.kind == "u":
        return position <= _INT64_MAX
    if position.dtype.kind == "f":
        return position < 2.0**63
    return pd.Series(True, index=position.index)


def _validate_tss(genes, source, unit):
    """Check the TSS table ``genes``; errors name ``source`` and its ``unit``.

    ``unit`` is ``"rows"`` (of a DataFrame, numbered from 0) or ``"lines"``
    (of a file, the index of ``genes``).
    """

    def where(mask):
        return f"{unit} {genes.index[mask][:SHOWN_IN_ERRORS].tolist()}"

    if genes.empty:
        raise ValueError(f"{source} has no genes.")

    # An empty or blank gene id or chromosome name is as missing as NaN.
    def is_blank(value):
        return isinstance(value, str) and not value.strip()

    blank = np.column_stack(
        [genes[column].map(is_blank) for column in ("gene_id", "chrom")]
    ).any(axis=1)
    incomplete = genes.isna().any(axis=1).to_numpy() | blank
    if incomplete.any():
        raise ValueError(
            f"{source}: missing values in {where(incomplete)} (NaN, None, or an "
            "empty gene id or chromosome)."
        )
    genes = genes.assign(gene_id=genes["gene_id"].astype(str))
    bad_strand = (~genes["strand"].isin(["+", "-"])).to_numpy()
    if bad_strand.any():
        raise ValueError(
            f"{source}: strand must be '+' or '-'; genes "
            f"{genes.loc[bad_strand, 'gene_id'][:SHOWN_IN_ERRORS].tolist()} "
            f"({where(bad_strand)}) have "
            f"{sorted(genes.loc[bad_strand, 'strand'].astype(str).unique())}."
        )
    position = pd.to_numeric(genes["tss"], errors="coerce")
    if position.dtype.kind == "b":  # True and False are not positions
        position = pd.Series(np.nan, index=position.index)
    bad_tss = (
        position.isna()
        | (position < 0)
        | (position % 1 != 0)
        | ~_within_int64(position)
    ).to_numpy()
    if bad_tss.any():
        raise ValueError(
            f"{source}: tss must be a non-negative integer within int64; genes "
            f"{genes.loc[bad_tss, 'gene_id'][:SHOWN_IN_ERRORS].tolist()} "
            f"({where(bad_tss)}) have "
            f"{genes.loc[bad_tss, 'tss'][:SHOWN_IN_ERRORS].tolist()}."
        )
    duplicated = genes["gene_id"].duplicated(keep=False).to_numpy()
    if duplicated.any():
        raise ValueError(
            f"{source}: duplicated gene ids "
            f"{sorted(genes.loc[duplicated, 'gene_id'].unique())[:SHOWN_IN_ERRORS]} "
            f"({where(duplicated)}); give each TSS its own id."
        )
    return genes.assign(
        chrom=genes["chrom"].astype(str), tss=position.astype(np.int64)
    ).reset_index(drop=True)
