"""Strict loading of network weights."""

import pytest
import torch

from skattchrome import AttentiveChromeModule
from skattchrome._weights import load_weights


def test_load_weights_names_missing_unexpected_and_misshaped_tensors():
    network = AttentiveChromeModule(n_marks=2, bin_hidden_size=3, mark_hidden_size=2)
    state = dict(network.state_dict())
    state.pop("classifier.bias")
    state["extra.weight"] = torch.zeros(1)
    state["classifier.weight"] = torch.zeros(1, 7)
    with pytest.raises(ValueError) as raised:
        load_weights(network, state, "file.bin", " Try again.")
    message = str(raised.value)
    assert "The weights of file.bin do not fit AttentiveChromeModule" in message
    assert "missing: classifier.bias" in message
    assert "unexpected: extra.weight" in message
    assert "of another shape: classifier.weight (1, 7) (expected (1, 4))" in message
    assert message.endswith("Try again.")


def test_load_weights_copies_every_tensor():
    source = AttentiveChromeModule(n_marks=2, bin_hidden_size=3, mark_hidden_size=2)
    target = AttentiveChromeModule(n_marks=2, bin_hidden_size=3, mark_hidden_size=2)
    load_weights(target, source.state_dict(), "a network")
    for name, tensor in source.state_dict().items():
        assert torch.equal(target.state_dict()[name], tensor), name
