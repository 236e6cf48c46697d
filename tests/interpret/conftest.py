"""Fixtures of the interpretation tests: small simulated genes, a small model, E003."""

import numpy as np
import pandas as pd
import pytest
from torch import nn

from skattchrome import AttentiveChromeClassifier
from skattchrome._neural_tasks import NeuralChromatinClassifier
from skattchrome.datasets import make_chromatin_data


@pytest.fixture(scope="module")
def simulated():
    """60 simulated genes of 8 bins on the log scale, with their planted bins."""
    X, y, truth = make_chromatin_data(
        n_genes=60, n_bins=8, random_state=0, return_ground_truth=True
    )
    return np.log1p(X), y, truth


def small_model(seed, max_epochs=1):
    """The small AttentiveChrome of the interpretation tests, unfitted."""
    return AttentiveChromeClassifier(
        bin_hidden_size=4,
        mark_hidden_size=3,
        max_epochs=max_epochs,
        device="cpu",
        random_state=seed,
    )


@pytest.fixture
def fitted_model(simulated, seed):
    """The small AttentiveChrome fitted on the simulated genes."""
    X, y, _ = simulated
    return small_model(seed).fit(X, y)


class LinearChromatinClassifier(NeuralChromatinClassifier):
    """A network that returns the logit alone, as DeepChrome will: ``w . X + b``."""

    def _build_module(self):
        return nn.Sequential(
            nn.Flatten(), nn.Linear(self.n_bins_ * self.n_marks_, 1), nn.Flatten(0)
        )


@pytest.fixture
def linear_model(simulated, seed):
    """The linear network fitted for one epoch on the simulated genes."""
    X, y, _ = simulated
    return LinearChromatinClassifier(
        max_epochs=1, device="cpu", random_state=seed, validation_fraction=None
    ).fit(X, y)


@pytest.fixture(scope="module")
def e003(test_data):
    """The 100 real E003 genes: log signal, labels and the held-out H3K27ac."""
    folder = test_data / "chromoformer_e003"
    arrays = np.load(folder / "signal.npz")
    genes = pd.read_csv(folder / "genes.csv")
    assert (genes["gene_id"].to_numpy() == arrays["gene_id"]).all()
    return {
        "X": np.log1p(arrays["X"]),
        "y": genes["label"].to_numpy(),
        "h3k27ac": arrays["h3k27ac"],
        "marks": [str(mark) for mark in arrays["marks"]],
    }


@pytest.fixture
def e003_model(e003, seed):
    """The small AttentiveChrome fitted for two epochs on the E003 genes."""
    return small_model(seed, max_epochs=2).fit(e003["X"], e003["y"])
