"""Genome-wide prediction and explanation: time, peak memory and throughput.

Measured in one run, on simulated genes of 100 bins x 5 marks and one
``AttentiveChromeClassifier`` (the published network, as the published models
are: its defaults without the linear path, ``linear_path=False``; trained one
epoch: speed does not depend on the weights):

* **genome-wide**: ``skattchrome predict`` and ``skattchrome explain`` with
  ``--cells`` over one cell type of 19,802 genes (three splits of 6601, E003's
  size) written in the published CSV layout to a temporary folder, each run in
  a fresh process through the command line's ``main``: wall time (loading the
  model and data and writing the file included) and peak resident memory
  above the process's once imported (``VmHWM``, reset at the start), beside
  the same for a tenth of the genes, to show that the peak grows only by the
  input and outputs; and the projection to the 55 cell types that have a
  published model (55 times the time of one, one job);
* **inference**: genes per second of ``predict``, ``predict_proba``,
  ``decision_function`` and ``attention`` against the bare per-mark bin LSTMs
  run one after another, forward only, at the same batch size (the yardstick
  of ``bench_training.py``, whose functions are reused), and against the
  published structure (``PublishedAttentiveChrome`` there), beside the bare
  kernels alone on the threads and shares of the package (``side by side``
  in ``bench_training.py``): the most that the package's way of running
  them can reach, so that its ratio to the published structure is the
  ceiling of the methods' ratio on this machine; and the first
  ``predict_proba`` of a freshly loaded model file against a second, warm one;
* **explanation**: genes per second of ``saliency`` (``gradient``,
  ``gradient_x_input`` and ``integrated_gradients`` with 50 steps) as a ratio
  to one (for integrated gradients, 50) forward-and-backward passes of the
  bare per-mark LSTMs over the same genes at the same batch size.

Throughput figures are medians of ``--rounds`` rounds that run every
implementation once, in turn, after one round of warm-up.

Run ``python benchmarks/bench_genome_wide.py`` for the full run (about 10
minutes on 2 cores), ``--quick`` for the reduced run that CI uses so the
script cannot rot (under 30 s; its figures mean little).
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from bench_training import (
    N_MARKS,
    PublishedAttentiveChrome,
    bare_forward,
    bare_kernels,
    bare_train_epoch,
    timed_inference,
)

from skattchrome import AttentiveChromeClassifier, load_model, save_model
from skattchrome._mark_threads import mark_threads
from skattchrome.datasets import REFERENCE_MARKS, make_chromatin_data
from skattchrome.interpret import saliency

PUBLISHED_CELL_TYPES = 55
"""Cell types with a published AttentiveChrome model: the projection's factor."""

SPLITS = ("train", "valid", "test")

INTEGRATED_GRADIENTS_STEPS = 50

SIDE_BY_SIDE = "LSTMs side by side"
"""The bare kernels on the package's threads: the ceiling of its inference."""

RUN_COMMAND_SCRIPT = """
import json, sys, time
from skattchrome._cli import main

def memory(field):
    with open("/proc/self/status") as status:
        line = next(line for line in status if line.startswith(field))
    return int(line.split()[1]) * 1024

with open("/proc/self/clear_refs", "w") as clear_refs:
    clear_refs.write("5")
start_bytes, start = memory("VmRSS"), time.perf_counter()
status = main(sys.argv[1:])
print(json.dumps({
    "status": status,
    "seconds": time.perf_counter() - start,
    "peak_bytes": memory("VmHWM") - start_bytes,
}))
"""
"""Run ``skattchrome ARGV`` once imported; print the exit status, wall time and
the peak resident memory above the start (Linux: writing 5 to ``clear_refs``
resets the peak, ``VmHWM``, to the memory in use)."""


def write_cell_type(folder, genes_per_split):
    """Write a simulated cell type in the published layout; return its genes."""
    for number, split in enumerate(SPLITS):
        X, y = make_chromatin_data(
            n_genes=genes_per_split, random_state=number, genomic_order=True
        )
        n_genes, n_bins, _ = X.shape
        frame = pd.DataFrame(
            X.reshape(-1, len(REFERENCE_MARKS)).astype(np.int64),
            columns=list(REFERENCE_MARKS),
        )
        frame.insert(0, "BinID", np.tile(np.arange(1, n_bins + 1), n_genes))
        frame.insert(
            0,
            "GeneID",
            np.repeat([f"{number}{gene:05d}" for gene in range(n_genes)], n_bins),
        )
        frame["Label"] = np.repeat(y, n_bins)
        path = folder / "classification" / f"{split}.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        frame.to_csv(path, header=False, index=False)
    return len(SPLITS) * genes_per_split


def run_in_fresh_process(argv):
    """``(seconds, peak bytes above the start)`` of ``skattchrome ARGV`` in a
    new process."""
    result = subprocess.run(
        [sys.executable, "-c", RUN_COMMAND_SCRIPT, *argv],
        capture_output=True,
        text=True,
        check=True,
    )
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    if figures["status"] != 0:
        raise RuntimeError(f"skattchrome {' '.join(argv)} failed: {result.stderr}")
    return figures["seconds"], figures["peak_bytes"]


def genome_wide(model_path, genes_per_split):
    """Rows ``(command, genes, seconds, peak MiB, MiB of input and output)``."""
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "cells"
        n_genes = write_cell_type(root / "E003", genes_per_split)
        n_values = n_genes * 100 * len(REFERENCE_MARKS)
        data_bytes = {
            "predict": 4 * n_values + 8 * n_genes,
            "explain": 4 * n_values + 4 * (n_values + n_genes * len(REFERENCE_MARKS)),
        }
        for command in ("predict", "explain"):
            argv = [command, str(model_path), str(root), "--cells", "E003"]
            argv += ["--out", str(Path(folder) / command), "--quiet"]
            seconds, peak = run_in_fresh_process(argv)
            rows.append(
                (command, n_genes, seconds, peak / 2**20, data_bytes[command] / 2**20)
            )
    return rows


def medians_of(rounds, timers):
    """Each timer once per round, in turn, after a warm-up round; the median
    seconds of each."""
    for timer in timers:
        timer()
    times = [[] for _ in timers]
    for _ in range(rounds):
        for index, timer in enumerate(timers):
            times[index].append(timer())
    return [statistics.median(seconds) for seconds in times]


def timed(function, *args, **kwargs):
    """Seconds of ``function(*args, **kwargs)``."""
    start = time.perf_counter()
    function(*args, **kwargs)
    return time.perf_counter() - start


def inference(model, X, rounds):
    """Genes/s of the bare kernels (one after another and, with two or more
    torch threads, side by side), the published structure and each method."""
    X_tensor = torch.from_numpy(X)
    size = model._inference_batch_size("cpu")
    kernels = bare_kernels("cpu")
    published = PublishedAttentiveChrome().eval()
    names = ["bare LSTMs", "published"]
    timers = [
        partial(timed_inference, partial(bare_forward, kernels), X_tensor, size, "cpu"),
        partial(timed_inference, published, X_tensor, size, "cpu"),
    ]
    threads = mark_threads(N_MARKS, torch.get_num_threads())
    if threads is not None:
        names.append(SIDE_BY_SIDE)
        timers.append(
            partial(
                timed_inference,
                partial(bare_forward, kernels, threads=threads),
                X_tensor,
                size,
                "cpu",
                threads,
            )
        )
    for method in ("predict", "predict_proba", "decision_function", "attention"):
        names.append(method)
        timers.append(partial(timed, getattr(model, method), X))
    seconds = medians_of(rounds, timers)
    return size, dict(zip(names, (len(X) / s for s in seconds), strict=True))


def first_and_warm_calls(model_path, X, rounds):
    """Median seconds of the first and of a second ``predict_proba`` of a
    freshly loaded model file."""
    first, warm = [], []
    for _ in range(rounds):
        model = load_model(model_path)
        first.append(timed(model.predict_proba, X))
        warm.append(timed(model.predict_proba, X))
    return statistics.median(first), statistics.median(warm)


def explanation(model, X, rounds):
    """Genes/s of one bare forward-and-backward pass and of each saliency
    method, with the passes each method makes per gene."""
    size = model._inference_batch_size("cpu")
    kernels = bare_kernels("cpu")
    X_tensor = torch.from_numpy(X)
    methods = {"gradient": 1, "gradient_x_input": 1}
    methods["integrated_gradients"] = INTEGRATED_GRADIENTS_STEPS
    timers = [partial(bare_train_epoch, kernels, X_tensor, size, "cpu")]
    timers += [
        partial(timed, saliency, model, X, method=method, n_steps=steps)
        for method, steps in methods.items()
    ]
    bare, *package = (len(X) / s for s in medians_of(rounds, timers))
    return (
        size,
        bare,
        [
            (method, steps, genes_per_second)
            for (method, steps), genes_per_second in zip(
                methods.items(), package, strict=True
            )
        ],
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="reduced run for CI")
    parser.add_argument(
        "--rounds", type=int, default=None, help="rounds (default 5, 1 with --quick)"
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=None,
        help="torch threads of this process (default: torch's); the commands run "
        "in fresh processes with torch's default",
    )
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    if args.quick:
        genes_per_split, n_inference, n_explanation, rounds = 100, 128, 8, 1
    else:
        genes_per_split, n_inference, n_explanation, rounds = 6601, 4096, 256, 5
    rounds = args.rounds or rounds
    torch.manual_seed(0)
    print(
        f"skattchrome genome-wide benchmark, {time.strftime('%Y-%m-%d')}, "
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"{torch.get_num_threads()} torch threads, Python "
        f"{platform.python_version()}, torch {torch.__version__}, "
        f"THP_MEM_ALLOC_ENABLE={os.environ.get('THP_MEM_ALLOC_ENABLE', '0')}"
    )
    X, y = make_chromatin_data(n_genes=max(n_inference, 512), random_state=0)
    model = AttentiveChromeClassifier(
        max_epochs=1,
        validation_fraction=None,
        device="cpu",
        random_state=0,
        linear_path=False,
    ).fit(X[:512], y[:512])
    with tempfile.TemporaryDirectory() as folder:
        model_path = Path(folder) / "model.skattchrome"
        save_model(model, model_path)
        print_genome_wide(model_path, genes_per_split)
        print_inference(model, model_path, X[:n_inference], rounds)
    print_explanation(model, X[:n_explanation], rounds)


def print_genome_wide(model_path, genes_per_split):
    print(
        "\nOne cell type with --cells, each command in a fresh process (loading "
        "the model and data and writing the file included)"
    )
    print(
        f"{'command':<10}{'genes':>8}{'seconds':>9}{'genes/s':>9}{'peak MiB':>10}"
        f"{'input+output MiB':>18}{'55 cell types':>15}"
    )
    rows = genome_wide(model_path, genes_per_split // 10)
    rows += genome_wide(model_path, genes_per_split)
    for command, n_genes, seconds, peak, data in rows:
        projected = PUBLISHED_CELL_TYPES * seconds / 60
        print(
            f"{command:<10}{n_genes:>8}{seconds:>9.1f}{n_genes / seconds:>9.0f}"
            f"{peak:>10.1f}{data:>18.1f}{projected:>11.1f} min"
        )
    print(
        "peak MiB: resident memory above the process's once imported; "
        "input+output: the signal (float32) and what is written"
    )


def print_inference(model, model_path, X, rounds):
    size, figures = inference(model, X, rounds)
    bare, published = figures["bare LSTMs"], figures["published"]
    print(
        f"\nInference, genes/s on {len(X)} genes at batches of {size}, median of "
        f"{rounds} rounds"
    )
    side_by_side = figures.get(SIDE_BY_SIDE)
    header = f"{'':<19}{'genes/s':>9}{'/bare':>7}{'/published':>12}"
    print(header if side_by_side is None else f"{header}{'/side by side':>15}")
    for name, genes_per_second in figures.items():
        row = (
            f"{name:<19}{genes_per_second:>9.0f}{genes_per_second / bare:>7.2f}"
            f"{genes_per_second / published:>12.2f}"
        )
        if side_by_side is not None:
            row += f"{genes_per_second / side_by_side:>15.2f}"
        print(row)
    first, warm = first_and_warm_calls(model_path, X, rounds)
    print(
        f"first predict_proba of a freshly loaded model: {len(X) / first:.0f} "
        f"genes/s, {warm / first:.2f} of a warm one ({len(X) / warm:.0f} genes/s)"
    )


def print_explanation(model, X, rounds):
    size, bare, rows = explanation(model, X, rounds)
    print(
        f"\nExplanation, genes/s on {len(X)} genes at batches of {size}, median "
        f"of {rounds} rounds; bare: one forward and backward pass of the "
        f"per-mark LSTMs, {bare:.0f} genes/s"
    )
    print(f"{'method':<22}{'passes':>7}{'genes/s':>9}{'/ (bare / passes)':>19}")
    for method, steps, genes_per_second in rows:
        print(
            f"{method:<22}{steps:>7}{genes_per_second:>9.1f}"
            f"{genes_per_second * steps / bare:>19.2f}"
        )


if __name__ == "__main__":
    main()
