"""Transfer between cell types: zero-shot, fine-tuned and from-scratch AttentiveChrome.

Everything is measured in one run, on the same machine, on DeepDiff's 200 real
genes, the same genes in E003 (H1) and in E123 (K562), from the shared reference
data (``$SKATTCHROME_TEST_DATA``, by default ``../shared/data`` next to the
repository). Both directions are measured, E003 to E123 and E123 to E003. In
each repeat, 80 genes of the target cell (stratified by their target label) are
held out as the test genes of every method and every n; the n training genes of
the target cell (n = 25, 50, 100, stratified by label) are drawn from the other
120. Every AttentiveChrome here is the published network, without the linear
path of the defaults (``linear_path=False``), as the published models are.
The methods, all scored by ROC AUC on the held-out target genes:

* ``zero-shot``: ``AttentiveChromeClassifier`` at its defaults fitted on all
  200 genes of the source cell with the source cell's labels, applied to the
  target cell with no target labels. The held-out genes are among the 200: this
  is the use where a source cell's labels of all genes are known, and its
  yardstick is the source cell's label of the same gene used as the score
  (``source label``). ``zero-shot, unseen genes`` fits the source model on the
  120 genes not held out, so that the test genes are new to it as well.
* ``fine-tuned``: a copy of the zero-shot model, ``warm_start=True``, fitted on
  the n target genes, at the defaults (``lr=2e-3``) and at a gentler learning
  rate (``lr=2e-4``, the published one), both with the automatic budget.
* ``scratch``: ``AttentiveChromeClassifier`` at its defaults fitted on the same
  n target genes.
* ``Logistic``: ``ChromeLogisticClassifier`` for scale, on the same n target
  genes and zero-shot from the source cell.

The neural models read ``log1p`` of the read counts; the logistic regression
reads the counts (it takes the log of each window's summed signal itself). Each
repeat uses its own seed for the split, the draws and the networks; the source
models are fitted once per repeat and direction. The table gives the mean and
standard deviation over the repeats of the test ROC AUC, then the paired
differences of the fine-tuned models against the ones from scratch and against
zero-shot on the same genes (mean +- sd, wins-losses).

Run ``python benchmarks/bench_transfer.py`` for the full run (10 repeats per
direction, about 18 minutes on 2 cores shared with other jobs, one torch
thread), ``--quick`` for the reduced run that CI uses so the script cannot rot
(one repeat, n = 25, one epoch per fit, about 15 seconds: its figures mean
nothing).
"""

import argparse
import copy
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split

from skattchrome import AttentiveChromeClassifier, ChromeLogisticClassifier
from skattchrome.datasets import load_remc

DATA_VARIABLE = "SKATTCHROME_TEST_DATA"
DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
CELLS = ("E003", "E123")
HELD_OUT = 80
ZERO_SHOT = "zero-shot"
FINE_TUNED = {"fine-tuned, lr 2e-3 (defaults)": {}, "fine-tuned, lr 2e-4": {"lr": 2e-4}}
SCRATCH = "scratch"
WITHOUT_TARGET_LABELS = (
    "source label",
    f"AttentiveChrome {ZERO_SHOT}",
    f"AttentiveChrome {ZERO_SHOT}, unseen genes",
    f"Logistic {ZERO_SHOT}",
    f"Logistic {ZERO_SHOT}, unseen genes",
)
WITH_TARGET_LABELS = (*FINE_TUNED, SCRATCH, "Logistic")


def deepdiff_cell(folder):
    """DeepDiff's 200 genes of one cell type: the three splits together."""
    splits = [load_remc(folder, subset) for subset in ("train", "valid", "test")]
    return {
        "counts": np.concatenate([split.data for split in splits]),
        "y": np.concatenate([split.target for split in splits]),
        "gene_ids": np.concatenate([split.gene_ids for split in splits]),
    }


def deepdiff_cells(root):
    """Both cell types, checked to list the same genes in the same order."""
    cells = {cell: deepdiff_cell(root / "deepdiff" / cell) for cell in CELLS}
    first, second = (cells[cell]["gene_ids"] for cell in CELLS)
    if not np.array_equal(first, second):
        raise ValueError(f"{root}: {CELLS[0]} and {CELLS[1]} list other genes.")
    for cell in cells.values():
        cell["X"] = np.log1p(cell["counts"])
    return cells


def stratified_draw(y, n, seed):
    """Indices of ``n`` of the genes labelled ``y``, stratified by label."""
    if n == len(y):
        return np.arange(n)
    drawn, _ = train_test_split(
        np.arange(len(y)), train_size=n, stratify=y, random_state=seed
    )
    return np.sort(drawn)


def auc(y, model, X):
    return roc_auc_score(y, model.decision_function(X))


def one_repeat(source, target, sizes, seed, neural_params):
    """Test ROC AUC of every method in one repeat: ``{(method, n): AUC}``.

    ``n`` is 0 for the methods that see no target labels.
    """
    pool, test = train_test_split(
        np.arange(len(target["y"])),
        test_size=HELD_OUT,
        stratify=target["y"],
        random_state=seed,
    )
    y_test = target["y"][test]
    source_model = AttentiveChromeClassifier(random_state=seed, **neural_params)
    source_model.fit(source["X"], source["y"])
    unseen_model = AttentiveChromeClassifier(random_state=seed, **neural_params)
    unseen_model.fit(source["X"][pool], source["y"][pool])
    logistic = ChromeLogisticClassifier().fit(source["counts"], source["y"])
    unseen_logistic = ChromeLogisticClassifier().fit(
        source["counts"][pool], source["y"][pool]
    )
    scores = dict(
        zip(
            ((name, 0) for name in WITHOUT_TARGET_LABELS),
            (
                roc_auc_score(y_test, source["y"][test]),
                auc(y_test, source_model, target["X"][test]),
                auc(y_test, unseen_model, target["X"][test]),
                auc(y_test, logistic, target["counts"][test]),
                auc(y_test, unseen_logistic, target["counts"][test]),
            ),
            strict=True,
        )
    )
    for n in sizes:
        train = pool[stratified_draw(target["y"][pool], n, seed)]
        X, y = target["X"][train], target["y"][train]
        for name, params in FINE_TUNED.items():
            model = copy.deepcopy(source_model).set_params(warm_start=True, **params)
            scores[name, n] = auc(y_test, model.fit(X, y), target["X"][test])
        scratch = AttentiveChromeClassifier(random_state=seed, **neural_params)
        scores[SCRATCH, n] = auc(y_test, scratch.fit(X, y), target["X"][test])
        logistic = ChromeLogisticClassifier().fit(target["counts"][train], y)
        scores["Logistic", n] = auc(y_test, logistic, target["counts"][test])
    return scores


def mean_sd(values):
    return f"{np.mean(values):.4f} +- {np.std(values):.4f}"


def paired(values, reference):
    """Mean +- sd of ``values - reference``, and wins-losses of ``values``."""
    differences = np.asarray(values) - np.asarray(reference)
    wins, losses = (differences > 0).sum(), (differences < 0).sum()
    return f"{mean_sd(differences)} {wins}-{losses}"


def run_direction(source, target, sizes, repeats, neural_params, label):
    """The scores of every repeat of one direction, one row per repeat."""
    start = time.perf_counter()
    rows = []
    for seed in range(repeats):
        rows.append(one_repeat(source, target, sizes, seed, neural_params))
        print(
            f"  ({label}: repeat {seed + 1}/{repeats}, "
            f"{time.perf_counter() - start:.0f} s)",
            file=sys.stderr,
            flush=True,
        )
    return pd.DataFrame(rows)


def print_direction(source_name, target_name, cells, sizes, repeats, neural_params):
    source, target = cells[source_name], cells[target_name]
    label = f"{source_name} -> {target_name}"
    start = time.perf_counter()
    results = run_direction(source, target, sizes, repeats, neural_params, label)
    agreement = (source["y"] == target["y"]).mean()
    print(
        f"\n{label}: test ROC AUC on {HELD_OUT} held-out {target_name} genes "
        f"(of {len(target['y'])}, {target['y'].mean():.0%} positive), mean +- sd "
        f"over {repeats} repeat(s); {agreement:.1%} of the genes have the same "
        "label in both cells"
    )
    width, column = 42, 24
    print(f"  {'without target labels':<{width}}{'ROC AUC':>{column}}")
    for name in WITHOUT_TARGET_LABELS:
        print(f"  {name:<{width}}{mean_sd(results[name, 0]):>{column}}")
    print(
        f"  {'trained on n target genes':<{width}}"
        + "".join(f"{'n=' + str(n):>{column}}" for n in sizes)
    )
    for name in WITH_TARGET_LABELS:
        print(
            f"  {name:<{width}}"
            + "".join(f"{mean_sd(results[name, n]):>{column}}" for n in sizes)
        )
    print("  paired differences, wins-losses")
    for name in FINE_TUNED:
        for reference in (SCRATCH, ZERO_SHOT):
            line = f"  {name + ' - ' + reference:<{width}}"
            for n in sizes:
                baseline = (
                    results[SCRATCH, n]
                    if reference == SCRATCH
                    else results[f"AttentiveChrome {ZERO_SHOT}", 0]
                )
                line += f"{paired(results[name, n], baseline):>{column}}"
            print(line)
    print(f"  ({time.perf_counter() - start:.0f} s)", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="reduced run for CI")
    parser.add_argument(
        "--repeats",
        type=int,
        default=None,
        help="random splits of the target genes per direction (default 10, 1 "
        "with --quick)",
    )
    parser.add_argument(
        "--sizes",
        default=None,
        help="target genes to train on, comma-separated, at most "
        f"{200 - HELD_OUT} (default 25,50,100; 25 with --quick)",
    )
    parser.add_argument(
        "--threads", type=int, default=1, help="torch threads (default 1)"
    )
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    if args.quick:
        repeats, sizes, neural_params = 1, [25], {"max_epochs": 1}
    else:
        repeats, sizes, neural_params = 10, [25, 50, 100], {}
    neural_params["linear_path"] = False
    repeats = args.repeats or repeats
    if args.sizes:
        sizes = [int(size) for size in args.sizes.split(",")]
    if not all(4 <= size <= 200 - HELD_OUT for size in sizes):
        parser.error(f"--sizes takes numbers of genes from 4 to {200 - HELD_OUT}")
    print(
        f"skattchrome transfer benchmark, {time.strftime('%Y-%m-%d')}, "
        f"{platform.processor() or platform.machine()}, "
        f"{torch.get_num_threads()} torch threads, torch {torch.__version__}"
    )
    location = Path(os.environ.get(DATA_VARIABLE, DEFAULT_DATA))
    if not (location / "deepdiff").is_dir():
        print(
            f"{location} (${DATA_VARIABLE}) holds no deepdiff/ folder of the shared "
            "reference data: nothing to measure.",
            file=sys.stderr,
        )
        return
    cells = deepdiff_cells(location)
    start = time.perf_counter()
    for source_name, target_name in (CELLS, CELLS[::-1]):
        print_direction(source_name, target_name, cells, sizes, repeats, neural_params)
    print(f"\nTotal: {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
