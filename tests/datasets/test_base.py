"""The helpers shared by the dataset loaders: bin_offsets."""

import numpy as np
import pytest

from skattchrome.datasets import bin_offsets


@pytest.mark.parametrize(
    ("n_bins", "bin_size", "name"),
    [
        (0, 100, "n_bins"),
        (-5, 100, "n_bins"),
        (2.5, 100, "n_bins"),
        (True, 100, "n_bins"),
        ("10", 100, "n_bins"),
        (None, 100, "n_bins"),
        (10, 0, "bin_size"),
        (10, -100, "bin_size"),
        (10, 1.5, "bin_size"),
        (10, np.nan, "bin_size"),
    ],
)
def test_invalid_sizes_are_named(n_bins, bin_size, name):
    # bin_size=0 gave ten offsets of 0, n_bins=-5 an empty array, and "10" or
    # None a TypeError of the arithmetic.
    with pytest.raises(ValueError, match=f"^{name} must be an integer >= 1"):
        bin_offsets(n_bins, bin_size)


def test_numpy_integers_and_odd_counts_are_accepted():
    assert bin_offsets(np.int64(3), np.int32(50)).tolist() == [-50, 0, 50]
