"""The marks encoded side by side on CPU threads: shares, exactness, threads."""

import copy
import pickle

import numpy as np
import pytest
import torch

from skattchrome import AttentiveChromeClassifier, AttentiveChromeModule, _modules
from skattchrome._mark_threads import balanced_segments, encode_marks_on_threads
from skattchrome.datasets import make_chromatin_data
from skattchrome.interpret import saliency

NETWORK_VARIANTS = [
    {},
    {"use_bin_attention": False},
    {"use_mark_attention": False},
    {"attention_scoring": "local"},
    {"attention_normalization": "sparsemax"},
]


@pytest.fixture
def two_torch_threads():
    """Two torch threads for the test, the suite's setting restored after."""
    threads = torch.get_num_threads()
    torch.set_num_threads(2)
    yield
    torch.set_num_threads(threads)


@pytest.fixture
def threaded_batches(monkeypatch):
    """A list that records the batch size of every batch encoded on threads."""
    batches = []

    def recording(module, threads, X, score_features):
        batches.append(len(X))
        return encode_marks_on_threads(module, threads, X, score_features)

    monkeypatch.setattr(_modules, "encode_marks_on_threads", recording)
    return batches


@pytest.mark.parametrize(
    ("n_marks", "n_genes", "n_parts"),
    [(5, 16, 2), (5, 16, 3), (5, 16, 5), (5, 1, 2), (5, 3, 4), (2, 7, 2), (3, 64, 3)],
)
def test_shares_cover_each_mark_and_gene_once_equally(n_marks, n_genes, n_parts):
    parts = balanced_segments(n_marks, n_genes, n_parts)
    assert len(parts) == n_parts
    covered = np.zeros((n_marks, n_genes), dtype=int)
    sizes = []
    for share in parts:
        assert share, "every share holds work"
        sizes.append(sum(stop - start for _, start, stop in share))
        marks = [mark for mark, _, _ in share]
        assert marks == sorted(set(marks)), "a share holds each mark once, in order"
        for mark, start, stop in share:
            assert 0 <= start < stop <= n_genes
            covered[mark, start:stop] += 1
    np.testing.assert_array_equal(covered, 1)
    assert max(sizes) - min(sizes) <= 1


def test_whole_marks_are_not_split_when_the_threads_divide_them():
    assert balanced_segments(4, 10, 2) == [
        [(0, 0, 10), (1, 0, 10)],
        [(2, 0, 10), (3, 0, 10)],
    ]


def outputs_and_gradients(network, X, bin_weights):
    """Outputs of ``network`` and gradients of a loss on all of them."""
    logit, bin_attention, mark_attention = network(X)
    loss = logit.sum() + mark_attention.sum()
    if bin_attention.numel():
        loss = loss + (bin_attention * bin_weights).sum()
    inputs = [X, *network.parameters()]
    gradients = torch.autograd.grad(loss, inputs)
    return [logit, bin_attention, mark_attention], gradients


@pytest.mark.parametrize("params", NETWORK_VARIANTS)
@pytest.mark.parametrize("n_threads", [2, 3, 5, 8])
def test_threads_compute_the_sequential_outputs_and_gradients(seed, params, n_threads):
    network = AttentiveChromeModule(
        n_marks=5, bin_hidden_size=8, mark_hidden_size=4, **params
    )
    X = (torch.rand(9, 20, 5) * 3).requires_grad_(True)
    bin_weights = torch.rand(9, 20, 5)
    expected_outputs, expected_gradients = outputs_and_gradients(
        network, X, bin_weights
    )
    with network.marks_on_threads(n_threads):
        assert network._mark_threads is not None
        outputs, gradients = outputs_and_gradients(network, X, bin_weights)
    for got, want in zip(outputs, expected_outputs, strict=True):
        torch.testing.assert_close(got, want, atol=1e-5, rtol=1e-5)
    for got, want in zip(gradients, expected_gradients, strict=True):
        torch.testing.assert_close(got, want, atol=1e-5, rtol=1e-4)


@pytest.mark.parametrize("params", NETWORK_VARIANTS)
def test_threads_compute_the_sequential_predictions_without_autograd(seed, params):
    network = AttentiveChromeModule(n_marks=4, bin_hidden_size=6, **params).eval()
    X = torch.rand(7, 15, 4)
    with torch.no_grad():
        expected = network(X)
    for mode in (torch.no_grad, torch.inference_mode):
        with network.marks_on_threads(3), mode():
            actual = network(X)
        for got, want in zip(actual, expected, strict=True):
            torch.testing.assert_close(got, want, atol=1e-6, rtol=1e-5)


def test_loss_on_the_logit_alone_trains_every_parameter(seed):
    network = AttentiveChromeModule(n_marks=3, bin_hidden_size=6)
    X = torch.rand(5, 12, 3)
    with network.marks_on_threads(2):
        logit, _, _ = network(X)
        torch.nn.functional.binary_cross_entropy_with_logits(
            logit, torch.ones(5)
        ).backward()
    sequential = AttentiveChromeModule(n_marks=3, bin_hidden_size=6)
    sequential.load_state_dict(network.state_dict())
    logit, _, _ = sequential(X)
    torch.nn.functional.binary_cross_entropy_with_logits(
        logit, torch.ones(5)
    ).backward()
    for (name, got), want in zip(
        network.named_parameters(), sequential.parameters(), strict=True
    ):
        torch.testing.assert_close(got.grad, want.grad, atol=1e-6, rtol=1e-4, msg=name)


def test_the_calling_threads_setting_holds_in_the_block_and_is_restored(seed):
    network = AttentiveChromeModule(n_marks=5, bin_hidden_size=4)
    before = torch.get_num_threads()
    with network.marks_on_threads(6):
        assert torch.get_num_threads() == 1
        assert network._mark_threads.n_threads == 5
    assert torch.get_num_threads() == before
    with network.marks_on_threads(4):
        assert torch.get_num_threads() == 1
        assert network._mark_threads.n_threads == 4
    with network.marks_on_threads(10):
        assert torch.get_num_threads() == 2
    assert torch.get_num_threads() == before
    assert "_mark_threads" not in vars(network)


@pytest.mark.parametrize(
    ("params", "n_threads"),
    [({"bin_encoder": "cnn"}, 4), ({}, 1), ({"n_marks": 1}, 4)],
)
def test_nothing_runs_on_threads_where_it_cannot_help(seed, params, n_threads):
    network = AttentiveChromeModule(**{"n_marks": 3, **params})
    before = torch.get_num_threads()
    with network.marks_on_threads(n_threads):
        assert network._mark_threads is None
        assert torch.get_num_threads() == before


def test_an_error_on_a_thread_reaches_the_caller_and_restores_the_threads(
    seed, monkeypatch
):
    network = AttentiveChromeModule(n_marks=4, bin_hidden_size=4)
    encode_mark = network.encode_mark

    def failing(signal, mark, score_features=None):
        if mark == 3:
            raise RuntimeError("mark 3 failed")
        return encode_mark(signal, mark, score_features)

    monkeypatch.setattr(network, "encode_mark", failing)
    before = torch.get_num_threads()
    with pytest.raises(RuntimeError, match="mark 3 failed"):
        with network.marks_on_threads(2):
            network(torch.rand(3, 10, 4))
    assert torch.get_num_threads() == before
    assert "_mark_threads" not in vars(network)


def test_a_second_backward_through_the_threads_is_refused(seed):
    network = AttentiveChromeModule(n_marks=3, bin_hidden_size=4)
    with network.marks_on_threads(2):
        logit, _, _ = network(torch.rand(4, 10, 3))
        logit.sum().backward(retain_graph=True)
        with pytest.raises(RuntimeError, match="second time"):
            logit.sum().backward()


def test_fit_on_two_threads_matches_one_thread_and_restores_them(
    seed, two_torch_threads, threaded_batches
):
    X, y = make_chromatin_data(n_genes=120, n_bins=12, random_state=0)
    params = dict(
        bin_hidden_size=6,
        mark_hidden_size=4,
        max_epochs=2,
        batch_size=16,
        device="cpu",
        random_state=0,
    )
    threaded = AttentiveChromeClassifier(**params).fit(X, y)
    assert 16 in threaded_batches, "training batches ran on the threads"
    assert torch.get_num_threads() == 2
    again = AttentiveChromeClassifier(**params).fit(X, y)
    np.testing.assert_array_equal(
        threaded.decision_function(X), again.decision_function(X)
    )
    assert torch.get_num_threads() == 2
    torch.set_num_threads(1)
    threaded_batches.clear()
    sequential = AttentiveChromeClassifier(**params).fit(X, y)
    assert not threaded_batches
    np.testing.assert_allclose(
        threaded.decision_function(X), sequential.decision_function(X), atol=1e-4
    )
    expected = sequential.attention(X)
    assert not threaded_batches
    torch.set_num_threads(2)
    maps = threaded.attention(X)
    assert threaded_batches == [len(X)], "the attention pass ran on the threads"
    np.testing.assert_allclose(maps.bin_attention, expected.bin_attention, atol=1e-4)
    np.testing.assert_allclose(maps.mark_attention, expected.mark_attention, atol=1e-4)
    assert torch.get_num_threads() == 2


def test_saliency_on_two_threads_matches_one_thread(
    seed, two_torch_threads, threaded_batches
):
    X, y = make_chromatin_data(n_genes=60, n_bins=10, random_state=0)
    model = AttentiveChromeClassifier(
        bin_hidden_size=6, mark_hidden_size=4, max_epochs=1, device="cpu"
    ).fit(X, y)
    threaded_batches.clear()
    threaded = saliency(model, X[:7], method="integrated_gradients", n_steps=4)
    assert threaded_batches == [28]
    torch.set_num_threads(1)
    sequential = saliency(model, X[:7], method="integrated_gradients", n_steps=4)
    np.testing.assert_allclose(threaded, sequential, rtol=1e-4, atol=1e-6)


def test_a_network_pickled_or_copied_within_the_block_leaves_the_threads(seed):
    network = AttentiveChromeModule(n_marks=3, bin_hidden_size=4)
    X = torch.rand(4, 10, 3)
    with network.marks_on_threads(2):
        restored = pickle.loads(pickle.dumps(network))
        copied = copy.deepcopy(network)
        assert network._mark_threads is not None
    for other in (restored, copied):
        assert "_mark_threads" not in vars(other)
        torch.testing.assert_close(other(X), network(X))
