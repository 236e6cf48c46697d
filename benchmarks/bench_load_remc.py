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

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "train.csv"
        write_split(path, args.genes, args.bins)
        size_mb = path.stat().st_size / 1e6
        print(
            f"{args.genes} genes x {args.bins} bins = {args.genes * args.bins} rows, "
            f"{size_mb:.1f} MB"
        )

        pandas_time, _ = best_time(
            lambda: pd.read_csv(path, header=None, dtype={0: str}), args.repeat
        )
        load_time, remc = best_time(lambda: load_remc(path), args.repeat)
        published_time, published = best_time(
            lambda: published_loader(path, args.bins), args.published_repeat
        )

    last = published[len(published) - 1]
    stacked = torch.cat([last[f"hm{mark}"] for mark in range(1, 6)], 1)
    assert np.array_equal(remc.data[-1], stacked.numpy())
    assert remc.gene_ids[-1] == last["geneID"]
    assert remc.target[-1] == last["expr"]

    print(f"pandas.read_csv      {pandas_time:8.3f} s")
    print(f"load_remc            {load_time:8.3f} s")
    print(f"published loader     {published_time:8.3f} s")
    print(f"load_remc / read_csv         {load_time / pandas_time:6.2f}x")
    print(f"published / load_remc        {published_time / load_time:6.1f}x")


if __name__ == "__main__":
    main()
