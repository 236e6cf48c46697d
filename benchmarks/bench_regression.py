"""Regression of expression: out-of-fold Pearson r, random against chromosome folds.

Everything is measured in one run, on the same machine:

* ``real``: the regressors on the real genes of the shared reference data
  (``$SKATTCHROME_TEST_DATA``) that carry RPKM and chromosome: DeepDiff's 200
  genes of E003 and of E123, and Chromoformer's 100 genes of E003. The target
  is log1p(RPKM). Each model is cross-validated twice: on random folds (5-fold,
  shuffled) and on folds of whole chromosomes (``ChromosomeKFold``, 5 folds
  balanced by gene count), and the out-of-fold predictions of all the genes are
  compared with the measured values: Pearson r (the figure the regression
  literature reports), Spearman r and R². Each is repeated with other seeds
  (and other random folds); the mean and standard deviation over the repeats
  are printed, then per kind of fold the mean over the cell types, each model
  minus the ridge regression on summed marks, and how much higher random folds
  score than chromosome folds.
  The neural models read ``log1p`` of the read counts (a ``Pipeline`` step);
  the forest reads the counts, and the ridge regression takes the log of each
  mark's summed signal itself.
* ``scaling``: raw read counts against ``log1p`` of them, on the genes of
  ``real`` and its random folds (the same folds for both inputs):
  ``AttentiveChromeRegressor`` and ``DeepChromeRegressor`` on the counts and
  behind a ``log1p`` ``Pipeline`` step, and ``ChromeRidgeRegressor`` without
  and with the log of its summed signal (``log_transform``). Per model and
  input, the Pearson r and R² of the out-of-fold predictions (mean and
  standard deviation over the repeats), and the difference of Pearson r log1p
  minus raw per repeat (mean, standard deviation, wins, losses and ties);
  then the means over the cell types.
* ``simulated``: the same models on simulated cell types whose expression is
  known (``make_chromatin_data(return_expression=True)``), trained on 1000
  genes and tested on 5000: the Pearson r and R² of each model, and the time
  of its fit.

Run ``python benchmarks/bench_regression.py`` for the full run (about 40
minutes on 2 cores, ``scaling`` about 20 of them; ``--sections`` picks
sections), ``--quick`` for the reduced run that CI uses so the script cannot
rot (one repeat of 2-fold cross-validation, ``real`` and ``scaling`` on
Chromoformer's genes only, a smaller simulated cell: its figures mean little).
"""

import argparse
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from scipy.stats import pearsonr, spearmanr
from sklearn.metrics import r2_score
from sklearn.model_selection import KFold, cross_val_predict
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

from skattchrome import (
    AttentiveChromeRegressor,
    ChromeForestRegressor,
    ChromeRidgeRegressor,
    DeepChromeRegressor,
)
from skattchrome.datasets import load_remc, make_chromatin_data
from skattchrome.model_selection import ChromosomeKFold

SECTIONS = ("real", "scaling", "simulated")
DATA_VARIABLE = "SKATTCHROME_TEST_DATA"
ATTENTION_MODEL = "AttentiveChrome"
LINEAR_BASELINE = "Ridge"
FOLDS = ("random", "chromosomes")
CHROMOFORMER = "E003 (Chromoformer, 100 genes)"
RAW, LOG1P = "raw", "log1p"
# Chromoformer's signal is the sum of per-base read depth in each bin; this
# factor (its README's) puts it on the read-count scale of the published data.
DEPTH_TO_READS = 135 / 3600


def on_log_signal(estimator):
    """``estimator`` reading ``log1p`` of the read counts."""
    return make_pipeline(FunctionTransformer(np.log1p), estimator)


def regressors(random_state):
    """The regressors of the comparison, by name."""
    return {
        ATTENTION_MODEL: on_log_signal(
            AttentiveChromeRegressor(random_state=random_state)
        ),
        "DeepChrome": on_log_signal(DeepChromeRegressor(random_state=random_state)),
        "RandomForest": ChromeForestRegressor(random_state=random_state),
        LINEAR_BASELINE: ChromeRidgeRegressor(),
    }


def deepdiff_cell(root, cell):
    """DeepDiff's 200 genes of one cell type: counts, log1p(RPKM), chromosomes."""
    folder = root / "deepdiff" / cell
    splits = [load_remc(folder, subset) for subset in ("train", "valid", "test")]
    gene_ids = np.concatenate([split.gene_ids for split in splits])
    genes = pd.read_csv(root / "deepdiff" / "genes.csv", dtype={"gene_id": str})
    genes = genes.set_index("gene_id").loc[gene_ids]
    return {
        "X": np.concatenate([split.data for split in splits]),
        "expression": np.log1p(genes[f"{cell}_rpkm"].to_numpy()),
        "chromosomes": genes["chrom"].to_numpy(),
    }


def chromoformer_cell(root):
    """Chromoformer's 100 E003 genes: counts, log1p(RPKM), chromosomes."""
    folder = root / "chromoformer_e003"
    arrays = np.load(folder / "signal.npz")
    genes = pd.read_csv(folder / "genes.csv")
    if not (genes["gene_id"].to_numpy() == arrays["gene_id"]).all():
        raise ValueError(f"{folder}: genes.csv and signal.npz list other genes.")
    return {
        "X": arrays["X"] * DEPTH_TO_READS,
        "expression": np.log1p(genes["rpkm"].to_numpy()),
        "chromosomes": genes["chrom"].to_numpy(),
    }


def real_cells(root):
    """The real cell types of the shared reference data with RPKM, by name."""
    return {
        "E003 (DeepDiff, 200 genes)": deepdiff_cell(root, "E003"),
        "E123 (DeepDiff, 200 genes)": deepdiff_cell(root, "E123"),
        CHROMOFORMER: chromoformer_cell(root),
    }


def scores(measured, predicted):
    """Pearson r, Spearman r and R² of predicted against measured values."""
    return {
        "pearson": pearsonr(measured, predicted).statistic,
        "spearman": spearmanr(measured, predicted).statistic,
        "r2": r2_score(measured, predicted),
    }


def out_of_fold(cell, model, cv, groups=None):
    """Scores of ``model``'s out-of-fold predictions of the cell's expression."""
    predicted = cross_val_predict(
        model, cell["X"], cell["expression"], groups=groups, cv=cv
    )
    return scores(cell["expression"], predicted)


def out_of_fold_scores(cell, fold, repeats, n_splits):
    """Scores of every model's out-of-fold predictions, one row per repeat."""
    rows = []
    for repeat in range(repeats):
        if fold == "random":
            cv = KFold(n_splits=n_splits, shuffle=True, random_state=repeat)
            groups = None
        else:
            cv, groups = ChromosomeKFold(n_splits=n_splits), cell["chromosomes"]
        for name, model in regressors(random_state=repeat).items():
            rows.append(
                {
                    "model": name,
                    "fold": fold,
                    "repeat": repeat,
                    **out_of_fold(cell, model, cv, groups),
                }
            )
    return pd.DataFrame(rows)


def print_real(cells, repeats, n_splits):
    print(
        f"\nReal genes: log1p(RPKM) predicted out of fold, {n_splits} random folds "
        f"against {n_splits} folds of whole chromosomes; mean +- sd over {repeats} "
        "repeat(s) (other seeds, other random folds)"
    )
    per_cell = {}
    for name, cell in cells.items():
        start = time.perf_counter()
        results = pd.concat(
            [out_of_fold_scores(cell, fold, repeats, n_splits) for fold in FOLDS]
        )
        n_chromosomes = len(set(cell["chromosomes"]))
        print(f"\n{name}: {len(cell['X'])} genes on {n_chromosomes} chromosomes")
        print(
            f"  {'model':<16}"
            + "".join(f"{fold + ' r':>20}" for fold in FOLDS)
            + f"{'Spearman (chrom.)':>20}{'R² (chrom.)':>14}"
        )
        statistics = results.groupby(["model", "fold"], sort=False).agg(["mean", "std"])
        for model in dict.fromkeys(results["model"]):
            line = f"  {model:<16}"
            for fold in FOLDS:
                mean, sd = statistics.loc[(model, fold), "pearson"]
                line += f"{mean:>12.4f} +- {np.nan_to_num(sd):.4f}"
            chromosome_scores = statistics.loc[(model, "chromosomes")]
            line += f"{chromosome_scores[('spearman', 'mean')]:>20.4f}"
            line += f"{chromosome_scores[('r2', 'mean')]:>14.4f}"
            print(line)
        print(f"  ({time.perf_counter() - start:.0f} s)")
        per_cell[name] = results.groupby(["model", "fold"], sort=False)[
            "pearson"
        ].mean()
    means = pd.DataFrame(per_cell).mean(axis=1).unstack("fold")[list(FOLDS)]
    print("\n  Mean Pearson r over the cell types:")
    print(means.round(4).to_string())
    for fold in FOLDS:
        difference = means.loc[ATTENTION_MODEL, fold] - means.loc[LINEAR_BASELINE, fold]
        print(
            f"  {ATTENTION_MODEL} minus {LINEAR_BASELINE}, {fold} folds: "
            f"{difference:+.4f}"
        )
    overrating = means["random"] - means["chromosomes"]
    print("  Random folds minus chromosome folds, per model:")
    print(overrating.round(4).to_string())


def scaling_regressors(random_state):
    """The regressors of the input comparison, by name: {input: estimator}."""
    return {
        ATTENTION_MODEL: {
            RAW: AttentiveChromeRegressor(random_state=random_state),
            LOG1P: on_log_signal(AttentiveChromeRegressor(random_state=random_state)),
        },
        "DeepChrome": {
            RAW: DeepChromeRegressor(random_state=random_state),
            LOG1P: on_log_signal(DeepChromeRegressor(random_state=random_state)),
        },
        LINEAR_BASELINE: {
            RAW: ChromeRidgeRegressor(log_transform=False),
            LOG1P: ChromeRidgeRegressor(),
        },
    }


def input_scores(cell, repeats, n_splits):
    """Scores of every model's out-of-fold predictions, per repeat and input."""
    rows = []
    for repeat in range(repeats):
        cv = KFold(n_splits=n_splits, shuffle=True, random_state=repeat)
        for name, inputs in scaling_regressors(random_state=repeat).items():
            for kind, model in inputs.items():
                rows.append(
                    {
                        "model": name,
                        "input": kind,
                        "repeat": repeat,
                        **out_of_fold(cell, model, cv),
                    }
                )
    return pd.DataFrame(rows)


def wins_losses_ties(differences):
    """How often a paired difference is positive, negative and zero."""
    return (
        f"{(differences > 0).sum()}-{(differences < 0).sum()}-"
        f"{(differences == 0).sum()}"
    )


def mean_and_sd(values, form=".4f"):
    """``mean +- sd`` of ``values`` (sd 0 for a single value)."""
    return f"{values.mean():{form}} +- {np.nan_to_num(values.std()):.4f}"


def print_scaling(cells, repeats, n_splits):
    print(
        f"\nReal genes, raw read counts against log1p: log1p(RPKM) predicted out "
        f"of fold, {n_splits} random folds (the same for both inputs); Pearson r "
        f"and R² as mean +- sd over {repeats} repeat(s), and Pearson r log1p minus "
        f"raw per repeat (mean +- sd, wins-losses-ties); {LINEAR_BASELINE} takes "
        "the log of its summed signal or not (log_transform) instead of a log1p "
        "step"
    )
    per_cell = {}
    for name, cell in cells.items():
        start = time.perf_counter()
        results = input_scores(cell, repeats, n_splits)
        pearson = results.pivot_table(
            index="repeat", columns=["model", "input"], values="pearson"
        )
        r2 = results.groupby(["model", "input"])["r2"].mean()
        print(f"\n{name}: {len(cell['X'])} genes")
        print(
            f"  {'model':<16}{'raw r':>18}{'log1p r':>18}{'log1p minus raw':>19}"
            f"{'w-l-t':>7}{'R² raw':>9}{'R² log1p':>10}"
        )
        for model in dict.fromkeys(results["model"]):
            raw, log = pearson[(model, RAW)], pearson[(model, LOG1P)]
            difference = log - raw
            print(
                f"  {model:<16}{mean_and_sd(raw):>18}{mean_and_sd(log):>18}"
                f"{mean_and_sd(difference, '+.4f'):>19}"
                f"{wins_losses_ties(difference):>7}"
                f"{r2[(model, RAW)]:>9.4f}{r2[(model, LOG1P)]:>10.4f}"
            )
        print(f"  ({time.perf_counter() - start:.0f} s)", flush=True)
        per_cell[name] = pearson.mean()
    means = pd.DataFrame(per_cell).mean(axis=1).unstack("input")[[RAW, LOG1P]]
    means["log1p minus raw"] = means[LOG1P] - means[RAW]
    print("\n  Mean Pearson r over the cell types on each input:")
    print(means.round(4).to_string())


def print_simulated(n_train, n_test, seeds):
    print(
        f"\nSimulated cell types: trained on {n_train} genes, Pearson r on {n_test} "
        f"test genes (mean +- sd over {len(seeds)} seed(s))"
    )
    rows = []
    for seed in seeds:
        X, _, expression = make_chromatin_data(
            n_genes=n_train + n_test, random_state=2000 + seed, return_expression=True
        )
        train, test = slice(0, n_train), slice(n_train, None)
        for name, model in regressors(random_state=seed).items():
            start = time.perf_counter()
            model.fit(X[train], expression[train])
            rows.append(
                {
                    "model": name,
                    "seed": seed,
                    "seconds": time.perf_counter() - start,
                    **scores(expression[test], model.predict(X[test])),
                }
            )
    results = pd.DataFrame(rows).groupby("model", sort=False)
    summary = results[["pearson", "r2", "seconds"]].agg(["mean", "std"])
    for model, row in summary.iterrows():
        print(
            f"  {model:<16} r {row[('pearson', 'mean')]:.4f} +- "
            f"{np.nan_to_num(row[('pearson', 'std')]):.4f}   R² "
            f"{row[('r2', 'mean')]:.4f}   fit {row[('seconds', 'mean')]:.1f} s"
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="reduced run for CI")
    parser.add_argument(
        "--sections",
        default=",".join(SECTIONS),
        help=f"comma-separated sections to run, of {','.join(SECTIONS)} (default: all)",
    )
    parser.add_argument(
        "--repeats",
        type=int,
        default=None,
        help="repeats of the cross-validation on real genes (default 3, 1 with "
        "--quick)",
    )
    parser.add_argument(
        "--threads", type=int, default=None, help="torch threads (default: torch's)"
    )
    args = parser.parse_args()
    sections = set(args.sections.split(","))
    if not sections <= set(SECTIONS):
        parser.error(f"--sections takes {', '.join(SECTIONS)}")
    if args.threads:
        torch.set_num_threads(args.threads)
    if args.quick:
        repeats, n_splits, n_train, n_test, seeds = 1, 2, 300, 1000, [0]
    else:
        repeats, n_splits, n_train, n_test, seeds = 3, 5, 1000, 5000, [0, 1, 2]
    repeats = args.repeats or repeats
    print(
        f"skattchrome regression benchmark, {time.strftime('%Y-%m-%d')}, "
        f"{platform.processor() or platform.machine()}, "
        f"{torch.get_num_threads()} torch threads, torch {torch.__version__}"
    )
    location = os.environ.get(DATA_VARIABLE)
    cells = None
    if location and Path(location).is_dir():
        cells = real_cells(Path(location))
    elif sections & {"real", "scaling"}:
        print(
            f"{DATA_VARIABLE} does not point at the shared reference data: the "
            "real and scaling sections are skipped.",
            file=sys.stderr,
        )
    if args.quick and cells:
        cells = {CHROMOFORMER: cells[CHROMOFORMER]}
    if "real" in sections and cells:
        print_real(cells, repeats, n_splits)
    if "scaling" in sections and cells:
        print_scaling(cells, repeats, n_splits)
    if "simulated" in sections:
        print_simulated(n_train, n_test, seeds)


if __name__ == "__main__":
    main()
