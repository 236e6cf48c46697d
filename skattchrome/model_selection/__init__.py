"""Compare AttentiveChrome with its ablations and baselines."""

from ._compare import compare_models, paired_comparison, paper_models

__all__ = ["compare_models", "paired_comparison", "paper_models"]
