"""Bin bigWig signal around transcription start sites."""

import numbers
import re
import warnings
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from .._optional import import_optional
from .._validation import check_flag, is_number
from ._tss import read_tss

STATS = ("sum", "mean", "max")
"""Statistics that :func:`bin_bigwig` can compute per bin."""


def bin_bigwig(
    bigwigs,
    tss,
    *,
    flank=5000,
    bin_size=100,
    stat="sum",
    strand_aware=True,
    missing="raise",
):
    """Bin the signal of bigWig tracks in a window around each gene's TSS.

    Bin ``i`` of a gene covers the genomic interval ``[tss - flank + i *
    bin_size, tss - flank + (i + 1) * bin_size)`` (0-based, half-open), so
    the TSS base opens bin ``n_bins // 2`` as in
    :func:`~skattchrome.datasets.bin_offsets`. With ``strand_aware=True`` the
    bins of a minus-strand gene are then reversed, so that they run 5' to 3'
    along the gene.

    Parameters
    ----------
    bigwigs : mapping of str to str or path-like
        Mark name to bigWig file; the order of the mapping is the order of
        the marks in ``X``.
    tss : pandas.DataFrame or str or path-like
        Transcription start sites: a DataFrame with columns ``gene_id``,
        ``chrom``, ``tss`` (0-based position of the TSS base) and ``strand``
        (``"+"`` or ``"-"``), or the path of a BED6 file (``.bed``,
        ``.bed.gz``; TSS = start for ``+``, end - 1 for ``-``; name =
        gene id) or of a GTF file (``.gtf``, ``.gtf.gz``; its ``gene``
        records, TSS = start - 1 for ``+``, end - 1 for ``-``, gene id from
        the ``gene_id`` attribute).
    flank : int, default=5000
        Half-width of the window in base pairs.
    bin_size : int, default=100
        Width of one bin in base pairs; must divide ``flank``.
    stat : {"sum", "mean", "max"}, default="sum"
        Statistic of the per-base values in each bin. "sum" is the sum of the
        per-base values (the coverage-weighted total, what read-count data
        such as the published archive hold); "mean" is that sum divided by
        ``bin_size``, so bases without data count as 0; "max" is the largest
        value of the bases with data, 0 for a bin without any.
    strand_aware : bool, default=True
        Reverse the bins of minus-strand genes so that they run 5' to 3'.
        False keeps the genomic order, as the published archive does.
    missing : {"raise", "warn"}, default="raise"
        What to do with genes on chromosomes that a track lacks, or whose TSS
        lies past the end of the track's chromosome (TSSs of another assembly
        than the track's): raise one error listing them, or warn and leave
        their bins of that track at 0.

    Returns
    -------
    X : ndarray of shape (n_genes, n_bins, n_marks), dtype float32
        The binned signal, ``n_bins = 2 * flank // bin_size``, genes in the
        order of ``tss``.
    gene_ids : ndarray of shape (n_genes,), dtype object
        The gene ids, as strings.

    Raises
    ------
    ImportError
        If pyBigWig is not installed (``pip install skattchrome[bigwig]``).
    TypeError
        If ``bigwigs`` is not a mapping.
    FileNotFoundError
        If a track's file does not exist (the message names its mark).
    ValueError
        If a track is not a bigWig file (the message names its mark and
        file), if a parameter is invalid, if ``tss`` lacks a column, has a strand
        other than ``"+"``/``"-"``, a negative or non-integer TSS, missing
        values or duplicated gene ids, or, with ``missing="raise"``, if genes
        lie on chromosomes that a track lacks or have TSSs past their ends.

    Warns
    -----
    UserWarning
        With ``missing="warn"``, for genes that a track cannot place; and for a
        track that holds no data at all, whose bins are then 0.

    See Also
    --------
    skattchrome.datasets.bin_offsets : Position of each bin relative to the TSS.
    read_tss : The genes of ``tss``, with their chromosomes.
    label_expression : Binary labels from expression values.

    Notes
    -----
    Per-base values are read with ``pyBigWig``'s ``values``, so every
    statistic is exact (no zoom levels). Bases before position 0 or past the
    end of the chromosome have no data: they count as 0. Duplicated gene ids
    are an error, because the rows of ``X`` are matched to genes by id
    downstream; give alternative TSSs of a gene distinct ids.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import pandas as pd
    >>> import pyBigWig
    >>> from skattchrome.preprocessing import bin_bigwig
    >>> folder = tempfile.TemporaryDirectory()
    >>> track = str(Path(folder.name) / "H3K4me3.bw")
    >>> bw = pyBigWig.open(track, "w")
    >>> bw.addHeader([("chr1", 1000)], maxZooms=0)
    >>> bw.addEntries(["chr1"], [95], ends=[110], values=[2.0])
    >>> bw.close()
    >>> genes = pd.DataFrame(
    ...     {"gene_id": ["A", "B"], "chrom": ["chr1", "chr1"],
    ...      "tss": [100, 100], "strand": ["+", "-"]}
    ... )
    >>> X, gene_ids = bin_bigwig({"H3K4me3": track}, genes, flank=20, bin_size=10)
    >>> X[:, :, 0]
    array([[ 0., 10., 20.,  0.],
           [ 0., 20., 10.,  0.]], dtype=float32)
    >>> gene_ids
    array(['A', 'B'], dtype=object)
    >>> folder.cleanup()
    """
    pybigwig = import_optional("pyBigWig", "bigwig", "bin_bigwig")
    _check_window(flank, bin_size)
    if stat not in STATS:
        raise ValueError(f"stat must be one of {STATS}, got {stat!r}.")
    if missing not in ("raise", "warn"):
        raise ValueError(f"missing must be 'raise' or 'warn', got {missing!r}.")
    check_flag("strand_aware", strand_aware)
    if not isinstance(bigwigs, Mapping):
        raise TypeError(
            "bigwigs must be a mapping of mark name to bigWig file, such as "
            f"{{'H3K4me3': 'H3K4me3.bw'}}; got {type(bigwigs).__name__}."
        )
    marks = list(bigwigs)
    if not marks:
        raise ValueError("bigwigs is empty: give at least one mark.")
    genes = read_tss(tss)
    n_bins = 2 * flank // bin_size
    X = np.zeros((len(genes), n_bins, len(marks)), dtype=np.float32)
    tracks = []
    try:
        for mark in marks:
            tracks.append(_open_track(pybigwig, mark, bigwigs[mark]))
        lengths = [track.chroms() for track in tracks]
        placeable = _placeable(genes, marks, lengths, bigwigs, missing)
        as_numpy = bool(pybigwig.numpy)
        chroms = genes["chrom"].to_numpy()
        starts = genes["tss"].to_numpy() - flank
        # One values() call per window, binned in NumPy: pyBigWig's
        # stats(..., nBins=n_bins, exact=True) agrees to float32 rounding but
        # reads the file once per bin, 51 to 61 times slower per gene
        # (benchmarks/bench_bigwig.py, pyBigWig 0.3.29), raises on windows past
        # a chromosome's ends, and its "mean" ignores bases without data.
        for column, track in enumerate(tracks):
            if not track.header()["nBasesCovered"]:
                mark = marks[column]
                warnings.warn(
                    f"{mark} ({bigwigs[mark]}) holds no data: its bins are 0.",
                    UserWarning,
                    stacklevel=2,
                )
                continue
            for row in np.flatnonzero(placeable[column]):
                signal = _window(
                    track, lengths[column], chroms[row], starts[row], flank, as_numpy
                )
                X[row, :, column] = _reduce(signal.reshape(n_bins, bin_size), stat)
    finally:
        for track in tracks:
            track.close()
    if strand_aware:
        minus = (genes["strand"] == "-").to_numpy()
        X[minus] = X[minus, ::-1]
    return X, genes["gene_id"].to_numpy(dtype=object)


def _open_track(pybigwig, mark, path):
    """The open bigWig track of ``mark``, or an error naming the mark and file."""
    where = f"bigwigs[{mark!r}]"
    text = str(path)
    if not re.match(r"^(https?|ftp)://", text):
        if not Path(text).exists():
            raise FileNotFoundError(f"{where}: no such file: {text}")
        if not Path(text).is_file():
            raise ValueError(f"{where}: {text} is not a file.")
    try:
        track = pybigwig.open(text)
    except RuntimeError:
        track = None
    if track is None or not track.isBigWig():
        if track is not None:
            track.close()
        raise ValueError(f"{where}: {text} is not a bigWig file pyBigWig can read.")
    return track


def _check_window(flank, bin_size):
    for name, value in (("flank", flank), ("bin_size", bin_size)):
        if not is_number(value, numbers.Integral):
            raise ValueError(f"{name} must be an integer, got {value!r}.")
        if value <= 0:
            raise ValueError(f"{name} must be positive, got {value}.")
    if flank % bin_size:
        raise ValueError(
            f"flank ({flank}) must be a multiple of bin_size ({bin_size})."
        )


def _placeable(genes, marks, lengths, bigwigs, missing):
    """Which genes each track can place, one boolean array per track.

    The others, genes on chromosomes that the track lacks and genes whose TSS
    lies at or past the end of the track's chromosome, raise (or warn) once.
    """
    problems, placeable = [], []
    for mark, chrom_lengths in zip(marks, lengths, strict=True):
        length = genes["chrom"].map(chrom_lengths)
        absent = length.isna()
        past_end = genes["tss"] >= length
        placeable.append((~absent & ~past_end).to_numpy())
        parts = [
            f"{int(where.sum())} genes {what} "
            f"{', '.join(sorted(genes.loc[where, 'chrom'].unique()))}"
            for where, what in (
                (absent, "on"),
                (past_end, "with a TSS past the end of"),
            )
            if where.any()
        ]
        if parts:
            problems.append(f"{mark} ({bigwigs[mark]}): " + " and ".join(parts))
    if problems:
        message = "Genes that tracks cannot place: " + "; ".join(problems) + "."
        if missing == "raise":
            raise ValueError(message + " Use missing='warn' to give them zeros.")
        warnings.warn(message + " Their bins are 0.", UserWarning, stacklevel=3)
    return placeable


def _window(track, chrom_lengths, chrom, start, flank, as_numpy):
    """Per-base values of ``[start, start + 2 * flank)``, NaN where no data.

    ``as_numpy`` asks pyBigWig for an array (when built with numpy support).
    """
    low, high = max(start, 0), min(start + 2 * flank, chrom_lengths[chrom])
    signal = np.full(2 * flank, np.nan)
    signal[low - start : high - start] = track.values(
        chrom, int(low), int(high), numpy=as_numpy
    )
    return signal


def _reduce(binned, stat):
    """Statistic of each row of ``binned`` (bins x bases), NaN = no data."""
    if stat == "max":
        return np.nan_to_num(np.fmax.reduce(binned, axis=1), nan=0.0)
    total = np.nansum(binned, axis=1)
    return total / binned.shape[1] if stat == "mean" else total
