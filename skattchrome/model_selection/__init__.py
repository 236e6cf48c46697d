"""Compare AttentiveChrome with its ablations and baselines."""

from ._compare import compare_models, paired_comparison, paper_models
from ._split import ChromosomeKFold

__all__ = ["ChromosomeKFold", "compare_models", "paired_comparison", "paper_models"]
