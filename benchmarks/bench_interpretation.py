"""Maps you can trust: every explanation judged against the biology and the model.

Everything is measured in one run, on the same machine, on Chromoformer's 100
real E003 genes with their H3K27ac, a mark the models do not see, from the
shared reference data (``$SKATTCHROME_TEST_DATA``). The models read ``log1p``
of the read counts and are fitted and explained on all 100 genes, once per
seed.

* ``maps``: ``AttentiveChromeClassifier`` at its defaults but for the linear
  path (``linear_path=False``, the published network, whose prediction its maps
  explain whole) and ``DeepChromeClassifier``, per seed, every map the package
  makes: attention (alpha times beta), gradient, gradient times input,
  integrated gradients, and Captum's occlusion and DeepLift (DeepLift for
  DeepChrome only: it has no rule for LSTMs). Two yardsticks: the biology, the
  Pearson r between the class-averaged H3K4me3 map of the highly expressed genes
  and their mean H3K27ac (``correlate_with_reference``); and the model, the
  deletion and insertion scores (``deletion_score``, ``insertion_score``: area
  over the curve of 1 to 50 top-ranked bins zeroed, or kept alone, in the
  predicted class's probability), the drop when the 10 top-ranked bins are
  zeroed, and the same for random maps, the floor. Then, per map, the mean,
  standard deviation and minimum over the seeds, and the time to compute the
  map.
* ``remedies``: the ways of making AttentiveChrome's attention more faithful
  and steadier, by the same yardsticks, seed by seed: the defaults,
  ``attention_scoring="local"``, sparsemax, an entropy penalty and the CNN
  bin encoder; for the defaults and the CNN encoder also attention times the
  signal, the maps of five fits averaged (``average_attention``, scored on
  the mean prediction of the five fits) and integrated gradients.
* ``captum``: the hand-written gradient and integrated gradients against
  Captum's ``Saliency`` and ``IntegratedGradients`` on the same network and
  genes: the largest difference and the genes per second of each, side by
  side.

Run ``python benchmarks/bench_interpretation.py`` for the full run (five
seeds; ``--sections`` picks sections), ``--quick`` for the reduced run that CI
uses so the script cannot rot (one seed, one epoch, 12 genes, two fits
averaged: its figures mean nothing).
"""

import argparse
import functools
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from captum.attr import IntegratedGradients, Saliency

from skattchrome import AttentionMaps, AttentiveChromeClassifier, DeepChromeClassifier
from skattchrome._captum import _Prediction
from skattchrome.interpret import (
    average_attention,
    correlate_with_reference,
    deletion_score,
    insertion_score,
)

SECTIONS = ("maps", "remedies", "captum")
DATA_VARIABLE = "SKATTCHROME_TEST_DATA"
# Chromoformer's signal is the sum of per-base read depth in each bin; this
# factor (its README's) puts it on the read-count scale of the published data.
DEPTH_TO_READS = 135 / 3600
ATTENTION = "attention"
ATTENTION_TIMES_SIGNAL = "attention x signal"
RANDOM = "random bins"
MODEL_METHODS = {
    "AttentiveChrome": (
        ATTENTION,
        "gradient",
        "gradient_x_input",
        "integrated_gradients",
        "occlusion",
    ),
    "DeepChrome": (
        "gradient",
        "gradient_x_input",
        "integrated_gradients",
        "occlusion",
        "deeplift",
    ),
}
# AttentiveChrome here is the published network: without the defaults' linear
# path, whose share of the prediction no map explains.
PUBLISHED_NETWORK = {"linear_path": False}
MODELS = {
    "AttentiveChrome": functools.partial(
        AttentiveChromeClassifier, **PUBLISHED_NETWORK
    ),
    "DeepChrome": DeepChromeClassifier,
}
REMEDIES = {
    "defaults": {},
    'attention_scoring="local"': {"attention_scoring": "local"},
    'attention_normalization="sparsemax"': {"attention_normalization": "sparsemax"},
    "attention_entropy=0.1": {"attention_entropy": 0.1},
    'bin_encoder="cnn"': {"bin_encoder": "cnn"},
}
AVERAGED_REMEDIES = ({}, {"bin_encoder": "cnn"})
"""The remedies also read as attention times signal and averaged over fits."""
SCORES = ("r", "deletion", "insertion", "drop at 10")


def e003_genes(root, n_genes=None):
    """Chromoformer's E003 genes: log1p of the read counts, labels, H3K27ac."""
    folder = root / "chromoformer_e003"
    arrays = np.load(folder / "signal.npz")
    genes = pd.read_csv(folder / "genes.csv")
    if not (genes["gene_id"].to_numpy() == arrays["gene_id"]).all():
        raise ValueError(f"{folder}: genes.csv and signal.npz list other genes.")
    kept = slice(n_genes)
    return {
        "X": np.log1p(arrays["X"][kept] * DEPTH_TO_READS).astype(np.float32),
        "y": genes["label"].to_numpy()[kept],
        "h3k27ac": np.log1p(arrays["h3k27ac"][kept] * DEPTH_TO_READS),
    }


def timed(function, *args, **kwargs):
    """``function(*args, **kwargs)`` and its wall time in seconds."""
    start = time.perf_counter()
    result = function(*args, **kwargs)
    return result, time.perf_counter() - start


def importance(maps):
    """One map per gene: attention as alpha times beta, saliency by magnitude."""
    if isinstance(maps, AttentionMaps):
        return maps.bin_attention * maps.mark_attention[:, np.newaxis, :]
    return np.abs(maps)


def judged(model, cell, maps, seed):
    """The map's scores by both yardsticks, and those of random maps."""
    X, y = cell["X"], cell["y"]
    maps = importance(maps)
    correlation = correlate_with_reference(maps, cell["h3k27ac"], y)
    deletion = deletion_score(model, X, maps, random_state=seed)
    insertion = insertion_score(model, X, maps, random_state=seed)
    at_ten = deletion_score(model, X, maps, n_top=10, random_state=seed)
    return {
        "r": float(correlation["pearson_r"].iloc[0]),
        "deletion": deletion.score,
        "insertion": insertion.score,
        "drop at 10": at_ten.score,
        "random deletion": deletion.random_score,
        "random insertion": insertion.random_score,
        "random drop at 10": at_ten.random_score,
    }


def maps_of(model, X, method):
    """The maps of ``method`` for the genes of ``X``."""
    if method == ATTENTION:
        return model.attention(X)
    if method == ATTENTION_TIMES_SIGNAL:
        return importance(model.attention(X)) * X
    return model.saliency(X, method=method)


def summary(table, by):
    """Mean, standard deviation and minimum over the seeds of every score."""
    columns = [column for column in table.columns if column in SCORES]
    grouped = table.groupby(by, sort=False)[columns]
    parts = {"mean": grouped.mean(), "sd": grouped.std(ddof=0), "min": grouped.min()}
    return pd.concat(parts, axis=1).swaplevel(axis=1)[columns]


def print_maps(cell, seeds, fit_params):
    print(
        f"\nEvery map on Chromoformer's E003 genes ({len(cell['y'])} genes, fitted "
        f"and explained on all, log1p), seeds {seeds}: r of the class-averaged "
        "H3K4me3 map of the highly expressed genes with their H3K27ac; deletion "
        "and insertion, the area over the curve of the predicted class's "
        "probability (1 to 50 top-ranked bins zeroed, or kept alone); drop at 10, "
        "the mean drop with the 10 top-ranked bins zeroed"
    )
    rows = []
    for seed in seeds:
        for name, estimator in MODELS.items():
            model, fit_seconds = timed(
                estimator(random_state=seed, **fit_params).fit, cell["X"], cell["y"]
            )
            for method in MODEL_METHODS[name]:
                maps, seconds = timed(maps_of, model, cell["X"], method)
                scores = judged(model, cell, maps, seed)
                rows.append(
                    {
                        "seed": seed,
                        "model": name,
                        "map": method,
                        **scores,
                        "map s": seconds,
                        "fit s": fit_seconds,
                    }
                )
            rows.append(
                {
                    "seed": seed,
                    "model": name,
                    "map": RANDOM,
                    "deletion": scores["random deletion"],
                    "insertion": scores["random insertion"],
                    "drop at 10": scores["random drop at 10"],
                }
            )
    table = pd.DataFrame(rows)
    shown = ["seed", "model", "map", *SCORES, "map s"]
    print(table[shown].round(4).to_string(index=False))
    print("\n  Over the seeds (mean, sd, min):")
    print(summary(table, ["model", "map"]).round(4).to_string())
    ratios = table.pivot_table(
        index=["model", "seed"], columns="map", values="deletion"
    )
    attention = ratios[ATTENTION].dropna()
    integrated = ratios.loc[attention.index, "integrated_gradients"]
    print(
        "  AttentiveChrome's attention deletion / integrated gradients': "
        f"{(attention / integrated).mean():.3f} (per seed "
        f"{', '.join(f'{value:.2f}' for value in attention / integrated)})"
    )


class MeanPrediction:
    """The mean predicted probabilities of several fitted classifiers."""

    def __init__(self, models):
        self.models = models

    def predict_proba(self, X):
        """Mean of the models' ``predict_proba``."""
        return np.mean([model.predict_proba(X) for model in self.models], axis=0)


def remedy_readings(params, seed, cell, n_averaged, fit_params):
    """By reading, the model to score and its maps, for one remedy and seed."""
    X, y = cell["X"], cell["y"]
    model, fit_seconds = timed(
        AttentiveChromeClassifier(
            random_state=seed, **PUBLISHED_NETWORK, **params, **fit_params
        ).fit,
        X,
        y,
    )
    maps = model.attention(X)
    readings = {ATTENTION: (model, maps)}
    if params in AVERAGED_REMEDIES:
        readings[ATTENTION_TIMES_SIGNAL] = (model, importance(maps) * X)
        others = [
            AttentiveChromeClassifier(
                random_state=1000 * (member + 1) + seed,
                **PUBLISHED_NETWORK,
                **params,
                **fit_params,
            ).fit(X, y)
            for member in range(n_averaged - 1)
        ]
        averaged = MeanPrediction([model, *others])
        average = average_attention(averaged.models, X)
        readings[f"{ATTENTION}, {n_averaged} seeds averaged"] = (averaged, average)
        readings[f"{ATTENTION_TIMES_SIGNAL}, {n_averaged} seeds averaged"] = (
            averaged,
            importance(average) * X,
        )
        readings["integrated_gradients"] = (
            model,
            model.saliency(X, method="integrated_gradients"),
        )
    return readings, fit_seconds


def print_remedies(cell, seeds, fit_params, n_averaged):
    print(
        "\nRemedies for AttentiveChrome's attention, on the same genes and "
        f"yardsticks, seeds {seeds}. For the defaults and the CNN bin encoder "
        "also: attention times the signal; the maps of "
        f"{n_averaged} fits averaged (average_attention, the seed's fit and "
        f"{n_averaged - 1} others), scored on the mean of their predicted "
        "probabilities; and integrated gradients of the seed's fit"
    )
    rows = []
    for seed in seeds:
        for name, params in REMEDIES.items():
            readings, fit_seconds = remedy_readings(
                params, seed, cell, n_averaged, fit_params
            )
            for reading, (model, maps) in readings.items():
                rows.append(
                    {
                        "seed": seed,
                        "model": name,
                        "map": reading,
                        **judged(model, cell, maps, seed),
                        "fit s": fit_seconds,
                    }
                )
    table = pd.DataFrame(rows)
    print(table[["seed", "model", "map", *SCORES]].round(4).to_string(index=False))
    print("\n  Over the seeds (mean, sd, min):")
    print(summary(table, ["model", "map"]).round(4).to_string())
    fit_times = table.groupby("model", sort=False)["fit s"].mean()
    print("\n  Mean time of one fit (s):")
    print(fit_times.round(2).to_string())


INTEGRATED_GRADIENTS_BATCH = 1024
"""Network inputs per pass of both integrated gradients of ``captum``."""


def gradient_pairs(model, X):
    """By method, the hand-written map of ``model`` and Captum's, as functions."""
    network = _Prediction(model.net_.module_).eval()
    inputs = torch.from_numpy(X)

    def captum_gradient():
        with torch.backends.cudnn.flags(enabled=False):
            return Saliency(network).attribute(inputs, abs=False).numpy()

    def captum_integrated_gradients():
        with torch.backends.cudnn.flags(enabled=False):
            attributions = IntegratedGradients(network).attribute(
                inputs,
                n_steps=50,
                method="riemann_middle",
                internal_batch_size=INTEGRATED_GRADIENTS_BATCH,
            )
        return attributions.numpy()

    def integrated_gradients():
        return model.saliency(
            X, method="integrated_gradients", batch_size=INTEGRATED_GRADIENTS_BATCH
        )

    return {
        "gradient": (functools.partial(model.saliency, X), captum_gradient),
        "integrated_gradients (50 steps)": (
            integrated_gradients,
            captum_integrated_gradients,
        ),
    }


def print_captum(cell, fit_params, repeats):
    print(
        "\nHand-written gradient methods against Captum's, on the same network "
        f"and {len(cell['y'])} genes (median of {repeats}, alternated): the "
        "largest difference "
        "of the two maps in the median gene and over all genes, and genes per "
        "second"
    )
    X = cell["X"]
    rows = []
    for name, estimator in MODELS.items():
        model = estimator(random_state=0, **fit_params).fit(X, cell["y"])
        for method, (ours, theirs) in gradient_pairs(model, X).items():
            # Alternated, so that both meet the same load on a shared machine.
            our_runs, their_runs = [], []
            for _ in range(repeats):
                our_runs.append(timed(ours))
                their_runs.append(timed(theirs))
            our_time = np.median([seconds for _, seconds in our_runs])
            their_time = np.median([seconds for _, seconds in their_runs])
            per_gene = np.abs(our_runs[0][0] - their_runs[0][0]).max(axis=(1, 2))
            rows.append(
                {
                    "model": name,
                    "method": method,
                    "median gene's difference": np.median(per_gene),
                    "largest difference": per_gene.max(),
                    "largest value": np.abs(our_runs[0][0]).max(),
                    "ours genes/s": len(X) / our_time,
                    "Captum genes/s": len(X) / their_time,
                    "ours / Captum speed": their_time / our_time,
                }
            )
    print(pd.DataFrame(rows).to_string(index=False, float_format="{:.4g}".format))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="reduced run for CI")
    parser.add_argument(
        "--sections",
        default=",".join(SECTIONS),
        help=f"comma-separated sections to run, of {','.join(SECTIONS)} (default: all)",
    )
    parser.add_argument(
        "--seeds", type=int, default=None, help="seeds (default 5, 1 with --quick)"
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
    seeds = list(range(args.seeds or (1 if args.quick else 5)))
    if args.quick:
        n_genes, fit_params, repeats, n_averaged = 12, {"max_epochs": 1}, 1, 2
    else:
        n_genes, fit_params, repeats, n_averaged = None, {}, 5, 5
    print(
        f"skattchrome interpretation benchmark, {time.strftime('%Y-%m-%d')}, "
        f"{platform.processor() or platform.machine()}, "
        f"{torch.get_num_threads()} torch threads, torch {torch.__version__}"
    )
    location = os.environ.get(DATA_VARIABLE)
    if not location or not Path(location).is_dir():
        print(
            f"{DATA_VARIABLE} does not point at the shared reference data: "
            "nothing to measure.",
            file=sys.stderr,
        )
        return
    cell = e003_genes(Path(location), n_genes)
    if "maps" in sections:
        print_maps(cell, seeds, fit_params)
    if "remedies" in sections:
        print_remedies(cell, seeds, fit_params, n_averaged)
    if "captum" in sections:
        print_captum(cell, fit_params, repeats)


if __name__ == "__main__":
    main()
