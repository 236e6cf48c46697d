"""Command line: train AttentiveChrome on a simulated cell type and explain it.

Run ``python -m skattchrome --help`` (or ``skattchrome --help``) for the options.
"""

import argparse
import sys
import time

import numpy as np
from sklearn.metrics import roc_auc_score

from ._attentivechrome import AttentiveChromeClassifier
from .datasets import REFERENCE_MARKS, make_chromatin_data


def _parser():
    parser = argparse.ArgumentParser(
        prog="skattchrome",
        description=(
            "Train AttentiveChrome on a simulated cell type (read counts of five "
            "histone marks in 100 bp bins around each TSS), report its test ROC "
            "AUC and the marks it attends to in high and low expressed genes."
        ),
    )
    parser.add_argument(
        "--genes", type=int, default=3000, help="genes to simulate (default 3000)"
    )
    parser.add_argument(
        "--bins", type=int, default=100, help="100 bp bins per gene (default 100)"
    )
    parser.add_argument(
        "--max-epochs", type=int, default=10, help="maximum epochs (default 10)"
    )
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument(
        "--device", default="auto", help="auto, cpu, cuda or cuda:N (default auto)"
    )
    parser.add_argument(
        "--quiet", action="store_true", help="do not print a line per epoch"
    )
    return parser


def main(argv=None):
    """Run the command line with ``argv`` (default: ``sys.argv[1:]``).

    Parameters
    ----------
    argv : list of str, default=None
        Command-line arguments.

    Returns
    -------
    status : int
        0 on success.

    Examples
    --------
    >>> from skattchrome.__main__ import main
    >>> main(["--genes", "120", "--bins", "10", "--max-epochs", "1", "--quiet"])
    Simulated 120 genes ...
    0
    """
    args = _parser().parse_args(argv)
    X, y = make_chromatin_data(
        n_genes=args.genes, n_bins=args.bins, random_state=args.seed
    )
    n_test = len(y) // 3
    X_train, y_train, X_test, y_test = X[n_test:], y[n_test:], X[:n_test], y[:n_test]
    print(
        f"Simulated {len(y)} genes x {args.bins} bins x {len(REFERENCE_MARKS)} marks; "
        f"training on {len(y_train)}, testing on {len(y_test)}."
    )
    model = AttentiveChromeClassifier(
        max_epochs=args.max_epochs,
        device=args.device,
        random_state=args.seed,
        verbose=0 if args.quiet else 1,
    )
    start = time.perf_counter()
    model.fit(X_train, y_train)
    seconds = time.perf_counter() - start
    auc = roc_auc_score(y_test, model.decision_function(X_test))
    print(
        f"Test ROC AUC: {auc:.4f} (best validation AUC {model.best_valid_auc_:.4f} "
        f"at epoch {model.best_epoch_} of {model.n_epochs_}; {seconds:.1f} s on "
        f"{model.net_.device})"
    )
    marks = model.attention(X_test).mark_attention
    print("Mark attention (beta), mean over test genes:")
    print(f"  {'mark':<10} {'high':>7} {'low':>7}")
    high, low = marks[y_test == 1].mean(axis=0), marks[y_test == 0].mean(axis=0)
    for index in np.argsort(-high):
        print(f"  {REFERENCE_MARKS[index]:<10} {high[index]:7.3f} {low[index]:7.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
