"""Time bin_bigwig against pyBigWig's own binned statistics on the same file.

Writes a bigWig track with pyBigWig to a temporary folder (5 chromosomes of
20 Mb by default; bedGraph-like runs of geometric length, 40 bp on average, a
fifth of them without data, gamma-distributed values, as in a coverage or
fold-change track) and TSSs spread at random over the chromosomes, plus genes
at the edge cases: TSSs at a chromosome's first and last bases and within a
flank of either end, and genes on a chromosome that the track lacks. Then

* checks that :func:`skattchrome.preprocessing.bin_bigwig` and binning with
  pyBigWig's ``stats(chrom, start, end, type=..., nBins=n_bins, exact=True)``
  give the same values for every statistic (``"sum"``, ``"mean"``,
  ``"max"``), both strands and every edge case, and prints the largest
  difference;
* times both on the same genes, interleaved, best of ``--rounds``, and prints
  genes per second and their ratio.

pyBigWig's ``stats`` needs help to bin like ``bin_bigwig``, written out below
as :func:`bin_with_stats`: it raises on windows that reach past a chromosome's
ends (so those bins are computed one at a time on the part inside), returns
None for bins without data (0 here, as in ``bin_bigwig``), and its ``"mean"``
averages over the covered bases only, where ``bin_bigwig``'s divides the sum
by the bin size (so ``"mean"`` is its ``"sum"`` divided by ``bin_size``).

Run ``python benchmarks/bench_bigwig.py`` for the full run (about 2 minutes
on one core), ``--quick`` for the reduced run that CI makes so the script
cannot rot (its figures mean little).
"""

import argparse
import platform
import tempfile
import time
import warnings
from importlib.metadata import version
from pathlib import Path

import numpy as np
import pandas as pd
import pyBigWig

from skattchrome.preprocessing import bin_bigwig

FLANK, BIN_SIZE = 5000, 100


def write_track(path, chrom_lengths, mean_interval, gap_fraction, seed=0):
    """Write a bigWig of bedGraph-like runs over the whole of each chromosome.

    Runs have geometric lengths of mean ``mean_interval`` bp; a fraction
    ``gap_fraction`` of them is left without data. Returns the number of
    intervals written.
    """
    rng = np.random.default_rng(seed)
    n_intervals = 0
    with pyBigWig.open(str(path), "w") as track:
        track.addHeader(list(chrom_lengths.items()))
        for chrom, length in chrom_lengths.items():
            lengths = rng.geometric(1 / mean_interval, size=length // mean_interval * 2)
            edges = np.cumsum(lengths)
            edges = np.concatenate([[0], edges[edges < length], [length]])
            keep = rng.random(len(edges) - 1) >= gap_fraction
            starts, ends = edges[:-1][keep], edges[1:][keep]
            values = rng.gamma(0.5, 4.0, size=len(starts))
            track.addEntries(
                [chrom] * len(starts),
                starts.tolist(),
                ends=ends.tolist(),
                values=values.tolist(),
            )
            n_intervals += len(starts)
    return n_intervals


def random_genes(chrom_lengths, n_genes, seed=0):
    """``n_genes`` TSSs at random positions, on random strands."""
    rng = np.random.default_rng(seed)
    chroms = rng.choice(list(chrom_lengths), size=n_genes)
    tss = [int(rng.integers(0, chrom_lengths[chrom])) for chrom in chroms]
    return pd.DataFrame(
        {
            "gene_id": [f"G{index:05d}" for index in range(n_genes)],
            "chrom": chroms,
            "tss": tss,
            "strand": rng.choice(["+", "-"], size=n_genes),
        }
    )


def edge_genes(chrom_lengths):
    """TSSs at and near both ends of each chromosome, on both strands,
    and two on a chromosome that is not in the track."""
    rows = []
    for chrom, length in chrom_lengths.items():
        for tss in (0, 1, 50, FLANK - 1, FLANK, FLANK + 50, length - FLANK - 1):
            rows.extend([(chrom, tss), (chrom, length - 1 - tss)])
    rows.extend([("chrUn", 100), ("chrUn", 10 * FLANK)])
    return pd.DataFrame(
        {
            "gene_id": [f"E{index:04d}" for index in range(2 * len(rows))],
            "chrom": [chrom for chrom, _ in rows] * 2,
            "tss": [tss for _, tss in rows] * 2,
            "strand": ["+"] * len(rows) + ["-"] * len(rows),
        }
    )


def bin_with_stats(bigwigs, genes, *, flank, bin_size, stat, strand_aware=True):
    """``bin_bigwig`` computed with pyBigWig's ``stats(..., nBins, exact=True)``.

    ``genes`` is a TSS table as ``bin_bigwig`` takes it, already valid (this
    function does not check it). Genes on a chromosome that a track lacks get
    zeros, as with ``bin_bigwig(..., missing="warn")``.
    """
    n_bins = 2 * flank // bin_size
    kind = "max" if stat == "max" else "sum"
    X = np.zeros((len(genes), n_bins, len(bigwigs)), dtype=np.float32)
    starts = genes["tss"].to_numpy() - flank
    for column, path in enumerate(bigwigs.values()):
        with pyBigWig.open(str(path)) as track:
            lengths = track.chroms()
            for row, chrom in enumerate(genes["chrom"]):
                if chrom in lengths:
                    X[row, :, column] = _stats_window(
                        track, chrom, lengths[chrom], int(starts[row]), n_bins,
                        bin_size, kind,
                    )  # fmt: skip
    if stat == "mean":
        X /= bin_size
    if strand_aware:
        minus = (genes["strand"] == "-").to_numpy()
        X[minus] = X[minus, ::-1]
    return X


def _stats_window(track, chrom, length, start, n_bins, bin_size, kind):
    """Bins of one window with ``stats``; None (no data) becomes 0.

    The bins that lie wholly inside the chromosome take one call with
    ``nBins``; a bin that straddles an end of the chromosome takes a call of
    its own on its part inside.
    """
    bins = np.zeros(n_bins)
    first = min(max(0, -(start // bin_size)), n_bins)
    last = max(first, min(n_bins, (length - start) // bin_size))
    if first < last:
        figures = track.stats(
            chrom,
            start + first * bin_size,
            start + last * bin_size,
            type=kind,
            nBins=last - first,
            exact=True,
        )
        bins[first:last] = [0.0 if figure is None else figure for figure in figures]
    for index in {first - 1, last} - {-1, n_bins}:
        low = max(start + index * bin_size, 0)
        high = min(start + (index + 1) * bin_size, length)
        if low < high:
            (figure,) = track.stats(chrom, low, high, type=kind, exact=True)
            bins[index] = 0.0 if figure is None else figure
    return bins


def package_bins(bigwigs, genes, stat):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        X, _ = bin_bigwig(
            bigwigs, genes, flank=FLANK, bin_size=BIN_SIZE, stat=stat, missing="warn"
        )
    return X


def stats_bins(bigwigs, genes, stat):
    return bin_with_stats(bigwigs, genes, flank=FLANK, bin_size=BIN_SIZE, stat=stat)


def largest_differences(bigwigs, genes):
    """Per statistic, the largest absolute and relative difference of the two."""
    differences = {}
    for stat in ("sum", "mean", "max"):
        ours = package_bins(bigwigs, genes, stat)
        theirs = stats_bins(bigwigs, genes, stat)
        absolute = float(np.abs(ours - theirs).max())
        differences[stat] = (absolute, absolute / max(float(np.abs(ours).max()), 1e-30))
    return differences


def best_of(rounds, timers):
    """Run each timer once per round, interleaved; keep each one's shortest time."""
    best = [float("inf")] * len(timers)
    for _ in range(rounds):
        for index, timer in enumerate(timers):
            start = time.perf_counter()
            timer()
            best[index] = min(best[index], time.perf_counter() - start)
    return best


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="reduced run for CI")
    parser.add_argument("--genes", type=int, default=None, help="random TSSs timed")
    parser.add_argument("--rounds", type=int, default=None, help="timed rounds")
    parser.add_argument(
        "--stats", default="sum", help="comma-separated statistics timed"
    )
    parser.add_argument(
        "--interval", type=int, default=40, help="mean run length of the track, bp"
    )
    args = parser.parse_args()
    if args.quick:
        chrom_length, n_genes, rounds, n_checked = 2_000_000, 200, 1, 100
    else:
        chrom_length, n_genes, rounds, n_checked = 20_000_000, 2000, 3, 500
    n_genes = args.genes or n_genes
    rounds = args.rounds or rounds
    chrom_lengths = {f"chr{number}": chrom_length for number in range(1, 6)}

    print(
        f"skattchrome bigWig binning benchmark, {time.strftime('%Y-%m-%d')}, "
        f"{platform.processor() or platform.machine()}, Python "
        f"{platform.python_version()}, pyBigWig {version('pyBigWig')}, "
        f"NumPy {np.__version__}"
    )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "H3K4me3.bw"
        n_intervals = write_track(path, chrom_lengths, args.interval, gap_fraction=0.2)
        bigwigs = {"H3K4me3": path}
        print(
            f"track: {len(chrom_lengths)} chromosomes x {chrom_length / 1e6:g} Mb, "
            f"{n_intervals} intervals (mean run {args.interval} bp, a fifth without "
            f"data), {path.stat().st_size / 1e6:.1f} MB; window {2 * FLANK} bp in "
            f"bins of {BIN_SIZE}"
        )

        checked = pd.concat(
            [edge_genes(chrom_lengths), random_genes(chrom_lengths, n_checked, 1)],
            ignore_index=True,
        )
        print(
            f"\nSame values? {len(checked)} genes: {n_checked} at random and "
            "the edge cases; largest difference, absolute and relative to the "
            "largest value"
        )
        for stat, (absolute, relative) in largest_differences(bigwigs, checked).items():
            print(f"{stat:<5} {absolute:10.3g} {relative:10.3g}")
            # float32 rounding of sums of thousands of values, no more.
            assert relative < 1e-6, f"bin_bigwig and stats differ for {stat}"

        genes = random_genes(chrom_lengths, n_genes)
        print(
            f"\nGenes per second, {n_genes} random TSSs, best of {rounds} "
            "interleaved round(s)"
        )
        print(f"{'stat':<6}{'bin_bigwig':>12}{'pyBigWig stats':>16}{'ratio':>8}")
        for stat in args.stats.split(","):
            ours, theirs = best_of(
                rounds,
                [
                    lambda stat=stat: package_bins(bigwigs, genes, stat),
                    lambda stat=stat: stats_bins(bigwigs, genes, stat),
                ],
            )
            print(
                f"{stat:<6}{n_genes / ours:>12.0f}{n_genes / theirs:>16.0f}"
                f"{theirs / ours:>8.1f}"
            )
        print("ratio: time of pyBigWig's stats over the time of bin_bigwig")


if __name__ == "__main__":
    main()
