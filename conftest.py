"""Settings for every test and doctest of the repository."""

import os

import pytest
import torch
from hypothesis import HealthCheck, settings

# The property-based tests (Hypothesis): by default a few examples each, the
# same on every run, to keep the suite's run time and its outcome steady;
# HYPOTHESIS_PROFILE=slow tries many more, new ones on each run.
settings.register_profile(
    "default",
    max_examples=15,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "slow",
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


@pytest.fixture(autouse=True, scope="session")
def single_torch_thread():
    """Run torch on one thread: the tiny networks of the tests only lose from more.

    On a busy machine torch's spinning worker threads slow small models down
    many times over; one thread keeps the suite's run time predictable.
    """
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)
