"""Settings for every test and doctest of the repository."""

import pytest
import torch


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
