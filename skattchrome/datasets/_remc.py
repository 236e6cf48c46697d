"""Loader for the published AttentiveChrome/DeepChrome CSV layout."""

from os import PathLike
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.utils import Bunch

from .._validation import check_flag, not_finite_in
from ._base import REFERENCE_MARKS, bin_offsets

SUBSETS = ("train", "valid", "test")
"""The three splits of each cell type of the published archive."""

_COLUMNS = ("GeneID", "BinID", *REFERENCE_MARKS, "Label")


def load_remc(path, subset=None, *, return_X_y=False):
    """Load one split in the published AttentiveChrome/DeepChrome CSV layout.

    The file has no header and eight columns, ``GeneID, BinID, H3K27me3,
    H3K36me3, H3K4me1, H3K4me3, H3K9me3, Label``, one row per bin. The bins of
    a gene are consecutive rows numbered from 1, and the label (1 = high
    expression) is repeated on every row of the gene. The number of bins per
    gene is read from the file (100 in the published archive, 200 in other
    published sets).

    Parameters
    ----------
    path : str or path-like
        A CSV file, or the folder of one cell type holding
        ``classification/{train,valid,test}.csv`` (for example ``data/E003``
        of the published archive); a folder needs ``subset``.
    subset : {"train", "valid", "test"}, default=None
        The split to read from a cell-type folder. Must be None when ``path``
        is a file.
    return_X_y : bool, default=False
        If True, return ``(data, target)`` instead of a Bunch.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        Dictionary-like object with the following attributes.

        data : ndarray of shape (n_genes, n_bins, n_marks), dtype float32
            Read counts of each mark in each bin, bins in file order.
        target : ndarray of shape (n_genes,), dtype int64
            Binary expression label of each gene.
        gene_ids : ndarray of shape (n_genes,), dtype object
            Gene identifiers as strings, exactly as written in the file
            (``"000003"`` stays ``"000003"``).
        mark_names : list of str
            Names of the marks, in the order of the last axis of ``data``.
        bin_offsets : ndarray of shape (n_bins,), dtype int64
            Start of each bin relative to the TSS, see
            :func:`~skattchrome.datasets.bin_offsets`.
        DESCR : str
            Description of the loaded file.

    (data, target) : tuple if ``return_X_y`` is True
        The two arrays described above.

    Raises
    ------
    FileNotFoundError
        If the file (or the split inside the folder) does not exist.
    ValueError
        If ``subset`` does not fit ``path``, or if the file is malformed: the
        message names the file, the 1-based line and the gene. Checked are the
        column count, non-numeric, missing or negative values, counts beyond
        the float32 range they are stored in, labels outside
        {0, 1}, a label that changes inside a gene, bins not numbered
        ``1..n_bins``, a gene with another number of bins than the others, a
        gene id that appears in two separate blocks, an empty file and one
        that is not text (binary or compressed). Also if ``path`` is empty
        or ``return_X_y`` is not a bool.

    See Also
    --------
    fetch_remc : Download and load the published 56-cell-type archive.
    bin_offsets : Position of each bin relative to the TSS.

    Notes
    -----
    The file is parsed with the C reader of :func:`pandas.read_csv` and all
    checks are vectorised, so a split of 6601 genes loads in about the time
    pandas needs to read it. Blank lines at the end of the file are ignored;
    a blank line elsewhere is an error (a row of missing values).

    References
    ----------
    .. [1] R. Singh, J. Lanchantin, A. Sekhon and Y. Qi, "Attend and Predict:
       Understanding Gene Regulation by Selective Attention on Chromatin",
       NeurIPS 2017.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from skattchrome.datasets import load_remc
    >>> rows = [f"000007,{b},0,{b},1,5,0,1" for b in (1, 2, 3)]
    >>> rows += [f"000009,{b},2,0,0,0,3,0" for b in (1, 2, 3)]
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     csv = Path(folder) / "train.csv"
    ...     _ = csv.write_text("\\n".join(rows) + "\\n")
    ...     remc = load_remc(csv)
    >>> remc.data.shape
    (2, 3, 5)
    >>> remc.gene_ids
    array(['000007', '000009'], dtype=object)
    >>> remc.target
    array([1, 0])
    >>> remc.data[0, :, 1]
    array([1., 2., 3.], dtype=float32)
    """
    check_flag("return_X_y", return_X_y)
    csv_path = _resolve_path(path, subset)
    frame = _read_frame(csv_path)
    data, target, gene_ids = _to_arrays(frame, csv_path)
    if return_X_y:
        return data, target
    n_genes, n_bins, n_marks = data.shape
    n_positive = int(target.sum())
    descr = (
        f"AttentiveChrome/DeepChrome data read from {csv_path}\n"
        f"{n_genes} genes x {n_bins} bins x {n_marks} marks "
        f"({', '.join(REFERENCE_MARKS)}).\n"
        f"Labels: {n_positive} high (1), {n_genes - n_positive} low (0) "
        f"expression.\n"
    )
    return Bunch(
        data=data,
        target=target,
        gene_ids=gene_ids,
        mark_names=list(REFERENCE_MARKS),
        bin_offsets=bin_offsets(n_bins),
        DESCR=descr,
    )


def _resolve_path(path, subset):
    """Path of the CSV file named by ``path`` and ``subset``."""
    if not isinstance(path, str | PathLike):
        raise TypeError(
            "path must be the path of a CSV file or of a cell-type folder; got "
            f"{type(path).__name__}."
        )
    if isinstance(path, str) and not path.strip():
        raise ValueError("path is empty: give a CSV file or a cell-type folder.")
    path = Path(path)
    if subset is not None and subset not in SUBSETS:
        raise ValueError(f"subset must be one of {SUBSETS}, got {subset!r}.")
    if path.is_dir():
        if subset is None:
            raise ValueError(
                f"{path} is a folder: choose one split with subset= one of {SUBSETS}."
            )
        csv_path = path / "classification" / f"{subset}.csv"
        if not csv_path.is_file():
            raise FileNotFoundError(f"No {subset} split in {path}: {csv_path}")
        return csv_path
    if not path.exists():
        raise FileNotFoundError(f"No such file: {path}")
    if subset is not None:
        raise ValueError(
            f"subset={subset!r} applies to a cell-type folder, but {path} is a file."
        )
    return path


def _read_frame(csv_path):
    """Parse the CSV with pandas' C reader, trailing blank lines removed.

    Missing values are kept as empty strings (``na_filter=False``), which is
    faster and lets the checks tell a missing field from a non-numeric one.
    """
    try:
        frame = pd.read_csv(
            csv_path,
            header=None,
            dtype={0: object},
            skip_blank_lines=False,
            na_filter=False,
            engine="c",
        )
    except pd.errors.EmptyDataError:
        raise ValueError(f"{csv_path}: the file is empty.") from None
    except pd.errors.ParserError as exc:
        raise ValueError(f"{csv_path}: {exc}".strip()) from None
    except UnicodeDecodeError:
        with open(csv_path, "rb") as file:
            compressed = file.read(2) == b"\x1f\x8b"
        raise ValueError(
            f"{csv_path}: not a text CSV file ("
            + (
                "gzip-compressed: decompress it first"
                if compressed
                else "bytes that are not UTF-8"
            )
            + ")."
        ) from None
    if frame.shape[1] != len(_COLUMNS):
        raise ValueError(
            f"{csv_path}, line 1: expected {len(_COLUMNS)} columns "
            f"({','.join(_COLUMNS)}), found {frame.shape[1]}."
        )
    if frame.iat[-1, 0] == "":
        blank = frame[0].to_numpy(dtype=object) == ""
        candidates = np.flatnonzero(blank)
        blank[candidates] = frame.iloc[candidates].eq("").all(axis=1).to_numpy()
        filled = np.flatnonzero(~blank)
        if len(filled) == 0:
            raise ValueError(f"{csv_path}: the file is empty.")
        frame = frame.iloc[: filled[-1] + 1]
    return frame


def _first(mask):
    """Index of the first True of a boolean array."""
    return int(np.argmax(mask))


def _to_arrays(frame, csv_path):
    """Validate the parsed rows and reshape them into (data, target, ids)."""
    ids = frame[0].to_numpy(dtype=object)

    def fail(row, message):
        """Raise the ValueError for a problem at 0-based ``row`` of the file."""
        raise ValueError(f"{csv_path}, line {row + 1}, gene {ids[row]!r}: {message}")

    numeric_frame = frame.drop(columns=0)
    for column in numeric_frame.columns:
        values = numeric_frame[column]
        if not pd.api.types.is_numeric_dtype(values.dtype):
            converted = pd.to_numeric(values, errors="coerce")
            unreadable = converted.isna().to_numpy()
            if unreadable.any():
                row = _first(unreadable)
                text = str(values.iloc[row]).strip()
                name = _COLUMNS[column]
                if text:
                    fail(row, f"non-numeric {name} {text!r}.")
                fail(row, f"missing value in {name} (empty field or too few columns).")
            numeric_frame[column] = converted
    numeric = numeric_frame.to_numpy(dtype=np.float64)

    missing_id = ids == ""
    if missing_id.any():
        fail(_first(missing_id), "missing value in GeneID.")
    not_finite = ~np.isfinite(numeric)
    if not_finite.any():
        row = _first(not_finite.any(axis=1))
        column = _COLUMNS[1 + _first(not_finite[row])]
        fail(row, f"missing or infinite value in {column}.")
    beyond_float32 = not_finite_in(numeric[:, 1:-1], np.float32)
    if beyond_float32.any():
        row = _first(beyond_float32.any(axis=1))
        mark = REFERENCE_MARKS[_first(beyond_float32[row])]
        fail(
            row,
            f"count {numeric[row, 1 + _first(beyond_float32[row])]:g} for {mark} is "
            "beyond the float32 range the counts are stored in "
            f"(±{float(np.finfo(np.float32).max):.3g}).",
        )

    bin_ids, counts, labels = numeric[:, 0], numeric[:, 1:-1], numeric[:, -1]
    bad_label = (labels != 0) & (labels != 1)
    if bad_label.any():
        row = _first(bad_label)
        fail(row, f"label {labels[row]:g} is not 0 or 1.")
    negative = counts < 0
    if negative.any():
        row = _first(negative.any(axis=1))
        mark = REFERENCE_MARKS[_first(negative[row])]
        fail(row, f"negative count {counts[row].min():g} for {mark}.")

    starts = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1]])
    lengths = np.diff(np.r_[starts, len(ids)])
    gene_ids = ids[starts]
    repeated = pd.Series(gene_ids).duplicated().to_numpy()
    if repeated.any():
        block = _first(repeated)
        earlier = _first(gene_ids == gene_ids[block])
        fail(
            starts[block],
            f"the gene already appeared at line {starts[earlier] + 1}; the bins "
            "of a gene must be consecutive.",
        )

    position = np.arange(len(ids)) - np.repeat(starts, lengths)
    out_of_order = bin_ids != position + 1
    if out_of_order.any():
        row = _first(out_of_order)
        fail(
            row,
            f"BinID {bin_ids[row]:g} where {position[row] + 1} was expected "
            "(bins must be numbered 1, 2, ... within each gene).",
        )
    n_bins = int(np.bincount(lengths).argmax())
    wrong_length = lengths != n_bins
    if wrong_length.any():
        block = _first(wrong_length)
        fail(
            starts[block], f"{lengths[block]} bins, but the other genes have {n_bins}."
        )
    changed_label = labels != np.repeat(labels[starts], lengths)
    if changed_label.any():
        row = _first(changed_label)
        fail(
            row,
            f"label changes inside the gene ({labels[row]:g} here, "
            f"{labels[row - position[row]]:g} on its first bin).",
        )

    n_genes = len(starts)
    data = counts.astype(np.float32).reshape(n_genes, n_bins, len(REFERENCE_MARKS))
    target = labels[starts].astype(np.int64)
    return data, target, gene_ids
