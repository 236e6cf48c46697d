"""Time load_remc against pandas.read_csv and the published AttentiveChrome loader.

Writes a simulated split in the published layout (6601 genes x 100 bins by
default, as in the archive: zero-padded gene ids, small integer read counts)
to a temporary file, then reports the best of ``--repeat`` runs of

* ``pandas.read_csv`` alone (the floor: parsing only),
* :func:`skattchrome.datasets.load_remc` (parsing, checks, reshaping),
* a re-implementation of the published loader (``v2PyTorch/data.py`` of
  QData/AttentiveChrome): ``csv.reader`` row by row into per-gene dicts of
  torch tensors.

Run ``python benchmarks/bench_load_remc.py --genes 500`` for a quick check.
"""

import argparse
import collections
import csv
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from skattchrome.datasets import load_remc


def write_split(path, n_genes, n_bins, seed=0):
    """Write a simulated split in the published CSV layout."""
    rng = np.random.default_rng(seed)
    n_rows = n_genes * n_bins
    table = pd.DataFrame(
        {
            "GeneID": np.repeat([f"{gene:06d}" for gene in range(n_genes)], n_bins),
            "BinID": np.tile(np.arange(1, n_bins + 1), n_genes),
        }
    )
    for mark, rate in zip(
        ["H3K27me3", "H3K36me3", "H3K4me1", "H3K4me3", "H3K9me3"],
        [1.0, 2.0, 1.5, 3.0, 0.8],
        strict=True,
    ):
        table[mark] = rng.negative_binomial(2, 2 / (2 + rate), size=n_rows)
    table["Label"] = np.repeat(rng.integers(0, 2, size=n_genes), n_bins)
    table.to_csv(path, header=False, index=False)


def published_loader(filename, windows):
    """The published AttentiveChrome loader, without its prints.

    Reads every row with ``csv.reader`` and builds, for each gene, a dict
    with the gene id, the label and one ``(windows, 1)`` tensor per mark.
    """
    with open(filename) as handle:
        data = list(csv.reader(handle))
    attributes = collections.OrderedDict()
    for count, first in enumerate(range(0, len(data), windows)):
        marks = [torch.zeros(windows, 1) for _ in range(5)]
        for window in range(windows):
            row = data[first + window]
            for mark in range(5):
                marks[mark][window][0] = int(row[2 + mark])
        attributes[count] = {
            "geneID": str(data[first][0].split("_")[0]),
            "expr": int(data[first + windows - 1][7]),
            **{f"hm{mark + 1}": marks[mark] for mark in range(5)},
        }
    return attributes


def best_time(function, repeat):
    """Shortest wall time of ``repeat`` calls in seconds, and the last result."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return min(times), result


def time_loaders(n_genes, n_bins, repeat, published_repeat):
    """Time the three loaders on a simulated split of ``n_genes`` genes.

    The split is written to a temporary file and removed afterwards. Checks
    that ``load_remc`` and the published loader read the same last gene.

    Returns
    -------
    figures : dict
        ``rows`` and ``megabytes`` of the file, and the shortest wall time in
        seconds of ``read_csv`` and ``load_remc`` (of ``repeat`` runs) and of
        the ``published`` loader (of ``published_repeat`` runs).
    """
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "train.csv"
        write_split(path, n_genes, n_bins)
        megabytes = path.stat().st_size / 1e6
        read_csv_time, _ = best_time(
            lambda: pd.read_csv(path, header=None, dtype={0: str}), repeat
        )
        load_time, remc = best_time(lambda: load_remc(path), repeat)
        published_time, published = best_time(
            lambda: published_loader(path, n_bins), published_repeat
        )

    last = published[len(published) - 1]
    stacked = torch.cat([last[f"hm{mark}"] for mark in range(1, 6)], 1)
    assert np.array_equal(remc.data[-1], stacked.numpy())
    assert remc.gene_ids[-1] == last["geneID"]
    assert remc.target[-1] == last["expr"]
    return {
        "rows": n_genes * n_bins,
        "megabytes": megabytes,
        "read_csv": read_csv_time,
        "load_remc": load_time,
        "published": published_time,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--genes", type=int, default=6601, help="genes in the split")
    parser.add_argument("--bins", type=int, default=100, help="bins per gene")
    parser.add_argument("--repeat", type=int, default=5, help="runs per loader")
    parser.add_argument(
        "--published-repeat",
        type=int,
        default=1,
        help="runs of the (slow) published loader",
    )
    args = parser.parse_args()

    figures = time_loaders(args.genes, args.bins, args.repeat, args.published_repeat)
    print(
        f"{args.genes} genes x {args.bins} bins = {figures['rows']} rows, "
        f"{figures['megabytes']:.1f} MB"
    )
    print(f"pandas.read_csv      {figures['read_csv']:8.3f} s")
    print(f"load_remc            {figures['load_remc']:8.3f} s")
    print(f"published loader     {figures['published']:8.3f} s")
    load_time = figures["load_remc"]
    print(f"load_remc / read_csv         {load_time / figures['read_csv']:6.2f}x")
    print(f"published / load_remc        {figures['published'] / load_time:6.1f}x")


if __name__ == "__main__":
    main()
