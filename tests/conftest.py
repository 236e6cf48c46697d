"""Shared fixtures: a fixed seed and the reference data shipped beside the project."""

import os
from pathlib import Path

import pytest
import torch

TEST_DATA_VARIABLE = "SKATTCHROME_TEST_DATA"


@pytest.fixture
def seed():
    """Seed torch's global generator and return the seed for ``random_state``.

    Tests draw their own numbers from ``np.random.default_rng(seed)``.
    """
    value = 0
    torch.manual_seed(value)
    return value


@pytest.fixture(scope="session")
def test_data():
    """Path of the shared reference data (``$SKATTCHROME_TEST_DATA``).

    Skips the test with the reason when the variable is unset or does not point
    to a folder, so that the suite still runs where the data is not available.
    """
    location = os.environ.get(TEST_DATA_VARIABLE)
    if not location:
        pytest.skip(f"{TEST_DATA_VARIABLE} is not set: no shared reference data")
    path = Path(location)
    if not path.is_dir():
        pytest.skip(f"{TEST_DATA_VARIABLE}={location} is not a folder")
    return path
