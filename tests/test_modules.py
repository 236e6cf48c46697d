"""The networks: shapes, normalisation, and the reference formulation."""

import math

import pytest
import torch
from torch import nn

from skattchrome import AttentiveChromeModule, ContextAttention, sparsemax


def reference_attention(states, context):
    """Attention written out position by position, as in the paper."""
    scores = torch.stack([states[:, t] @ context for t in range(states.shape[1])], 1)
    weights = torch.exp(scores) / torch.exp(scores).sum(dim=1, keepdim=True)
    summary = sum(weights[:, t, None] * states[:, t] for t in range(states.shape[1]))
    return summary, weights


def reference_forward(module, X):
    """AttentiveChrome computed mark by mark with separate modules, as published."""
    embeddings, alphas = [], []
    for mark, encoder in enumerate(module.bin_encoders):
        states, _ = encoder(X[:, :, mark : mark + 1])
        embedding, alpha = reference_attention(
            states, module.bin_attention_layer.context[mark]
        )
        embeddings.append(embedding)
        alphas.append(alpha)
    mark_states, _ = module.mark_encoder(torch.stack(embeddings, dim=1))
    gene, beta = reference_attention(
        mark_states, module.mark_attention_layer.context[0]
    )
    return module.classifier(gene).squeeze(-1), torch.stack(alphas, dim=2), beta


@pytest.fixture
def network(seed):
    return AttentiveChromeModule(n_marks=3, bin_hidden_size=6, mark_hidden_size=4)


def test_forward_shapes_and_distributions(network):
    logit, bin_attention, mark_attention = network(torch.rand(4, 11, 3))
    assert logit.shape == (4,)
    assert bin_attention.shape == (4, 11, 3)
    assert mark_attention.shape == (4, 3)
    torch.testing.assert_close(bin_attention.sum(dim=1), torch.ones(4, 3))
    torch.testing.assert_close(mark_attention.sum(dim=1), torch.ones(4))


def test_matches_the_mark_by_mark_formulation(network):
    X = torch.randn(5, 9, 3, generator=torch.Generator().manual_seed(1)) * 3
    with torch.no_grad():
        expected = reference_forward(network, X)
        actual = network(X)
    for got, want in zip(actual, expected, strict=True):
        torch.testing.assert_close(got, want, atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"attention_scoring": "local"},
        {"attention_normalization": "sparsemax"},
        {"bin_encoder": "cnn"},
    ],
)
def test_mark_by_mark_attention_matches_attention_over_all_marks(seed, params):
    network = AttentiveChromeModule(n_marks=3, bin_hidden_size=6, **params)
    X = torch.rand(4, 12, 3) * 4
    with torch.no_grad():
        embeddings, bin_attention = network.embed_marks(X)
        if network.bin_encoder == "cnn":
            states = network._convolved_bins(X)
        else:
            states = torch.stack(
                [
                    encoder(X[:, :, mark].unsqueeze(-1))[0]
                    for mark, encoder in enumerate(network.bin_encoders)
                ],
                dim=1,
            )
        expected = network.bin_attention_layer(states, network._local_score_features(X))
    torch.testing.assert_close(embeddings, expected[0], atol=1e-6, rtol=1e-5)
    torch.testing.assert_close(
        bin_attention, expected[1].transpose(1, 2), atol=1e-6, rtol=1e-5
    )


def test_context_attention_one_group_of_several():
    attention = ContextAttention(n_features=4, n_groups=3)
    states = torch.randn(2, 3, 6, 4)
    summary, weights = attention(states)
    for group in range(3):
        one_summary, one_weights = attention(states[:, group], group=group)
        expected = reference_attention(states[:, group], attention.context[group])
        torch.testing.assert_close(one_summary, expected[0])
        torch.testing.assert_close(one_weights, expected[1])
        torch.testing.assert_close(summary[:, group], one_summary)
        torch.testing.assert_close(weights[:, group], one_weights)


def test_mark_by_mark_gradients_match_the_reference(network):
    X = torch.randn(3, 9, 3, generator=torch.Generator().manual_seed(2)) * 2
    logit, _, _ = network(X)
    gradients = torch.autograd.grad(logit.sum(), list(network.parameters()))
    reference_logit, _, _ = reference_forward(network, X)
    expected = torch.autograd.grad(reference_logit.sum(), list(network.parameters()))
    for got, want in zip(gradients, expected, strict=True):
        torch.testing.assert_close(got, want, atol=1e-5, rtol=1e-4)


def test_each_mark_has_its_own_weights(network):
    first, second = network.bin_encoders[0], network.bin_encoders[1]
    assert first.weight_hh_l0.data_ptr() != second.weight_hh_l0.data_ptr()
    assert network.bin_attention_layer.context.shape == (3, 12)
    assert not torch.equal(
        network.bin_attention_layer.context[0], network.bin_attention_layer.context[1]
    )


def test_each_mark_reads_only_its_own_bins(network):
    X = torch.rand(2, 8, 3)
    changed = X.clone()
    changed[:, :, 1] += 5.0
    with torch.no_grad():
        _, before, _ = network(X)
        _, after, _ = network(changed)
    torch.testing.assert_close(before[:, :, [0, 2]], after[:, :, [0, 2]])
    assert not torch.allclose(before[:, :, 1], after[:, :, 1])


def test_gradients_reach_every_parameter(network):
    logit, _, _ = network(torch.rand(3, 7, 3))
    nn.functional.binary_cross_entropy_with_logits(logit, torch.ones(3)).backward()
    for name, parameter in network.named_parameters():
        assert parameter.grad is not None, name
        assert torch.isfinite(parameter.grad).all(), name


def test_context_attention_single_group():
    attention = ContextAttention(n_features=4)
    states = torch.randn(2, 6, 4)
    summary, weights = attention(states)
    expected_summary, expected_weights = reference_attention(
        states, attention.context[0]
    )
    torch.testing.assert_close(summary, expected_summary)
    torch.testing.assert_close(weights, expected_weights)


def test_sparsemax_is_a_sparse_distribution():
    scores = torch.tensor([[3.0, 1.0, 0.5, -2.0], [0.1, 0.0, 0.05, 0.2]])
    weights = sparsemax(scores)
    torch.testing.assert_close(weights.sum(dim=-1), torch.ones(2))
    assert (weights >= 0).all()
    torch.testing.assert_close(weights[0], torch.tensor([1.0, 0.0, 0.0, 0.0]))
    assert (weights[1] > 0).all()
    along_first_axis = sparsemax(scores.T, dim=0)
    torch.testing.assert_close(along_first_axis, weights.T)


def test_sparsemax_matches_the_projection_onto_the_simplex():
    rng = torch.Generator().manual_seed(0)
    scores = torch.randn(6, 9, generator=rng, dtype=torch.float64)
    weights = sparsemax(scores)
    for row, projected in zip(scores, weights, strict=True):
        support = projected > 0
        threshold = (row[support].sum() - 1) / support.sum()
        torch.testing.assert_close(projected[support], row[support] - threshold)
        assert (row[~support] <= threshold).all()


def test_sparsemax_gradient():
    scores = torch.randn(3, 7, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(sparsemax, (scores,))


def test_sparsemax_attention_in_the_network(seed):
    network = AttentiveChromeModule(
        n_marks=3, bin_hidden_size=6, attention_normalization="sparsemax"
    )
    _, bin_attention, mark_attention = network(torch.rand(4, 30, 3) * 5)
    torch.testing.assert_close(bin_attention.sum(dim=1), torch.ones(4, 3))
    torch.testing.assert_close(mark_attention.sum(dim=1), torch.ones(4))


def test_local_scoring_depends_on_the_neighbourhood_only(seed):
    network = AttentiveChromeModule(
        n_marks=2, bin_hidden_size=4, attention_scoring="local", cnn_kernel_size=3
    )
    X = torch.rand(2, 20, 2)
    changed = X.clone()
    changed[:, 15, 0] += 10.0
    with torch.no_grad():
        _, before, _ = network(X)
        _, after, _ = network(changed)
    far_bins = list(range(12))
    ratio_before = before[:, far_bins, 0] / before[:, :1, 0]
    ratio_after = after[:, far_bins, 0] / after[:, :1, 0]
    torch.testing.assert_close(ratio_before, ratio_after)
    near_ratio_before = before[:, 15, 0] / before[:, 0, 0]
    near_ratio_after = after[:, 15, 0] / after[:, 0, 0]
    assert not torch.allclose(near_ratio_before, near_ratio_after)


def test_unknown_options_are_refused():
    with pytest.raises(ValueError, match="attention_scoring"):
        AttentiveChromeModule(n_marks=2, attention_scoring="global")
    with pytest.raises(ValueError, match="normalization"):
        ContextAttention(4, normalization="entmax")
    with pytest.raises(ValueError, match="bin_encoder"):
        AttentiveChromeModule(n_marks=2, bin_encoder="transformer")


@pytest.mark.parametrize("params", [{}, {"use_bin_attention": False}])
def test_encode_mark_uses_exactly_its_declared_parameters(params):
    network = AttentiveChromeModule(n_marks=3, bin_hidden_size=4, **params)
    signal = torch.rand(2, 7)
    embedding, weights = network.encode_mark(signal, 1)
    loss = embedding.sum() + (0 if weights is None else weights.sum())
    declared = network.mark_parameters(1) + network.shared_mark_parameters()
    used = [
        parameter
        for parameter, grad in zip(
            network.parameters(),
            torch.autograd.grad(loss, list(network.parameters()), allow_unused=True),
            strict=True,
        )
        if grad is not None
    ]
    assert {id(parameter) for parameter in used} == {
        id(parameter) for parameter in declared
    }


def test_summed_signal_is_the_log_of_each_marks_summed_counts(seed):
    counts = torch.poisson(torch.full((4, 20, 3), 2.0, dtype=torch.float64))
    counts[0, :, 1] = 0.0
    summed = AttentiveChromeModule.summed_signal(torch.log1p(counts))
    expected = torch.log1p(counts.sum(dim=1)) - math.log(20)
    torch.testing.assert_close(summed, expected)


def test_summed_signal_of_large_or_negative_signal():
    large = torch.full((1, 4, 1), 1000.0)
    assert AttentiveChromeModule.summed_signal(large).item() == pytest.approx(
        1000.0 + math.log1p(-0.75 * math.exp(-1000.0)), abs=1e-3
    )
    negative = torch.tensor([[[-1.0], [-3.0]]], dtype=torch.float64)
    floor = torch.logsumexp(negative, dim=1) - 2 * math.log(2)
    torch.testing.assert_close(AttentiveChromeModule.summed_signal(negative), floor)


def test_linear_path_adds_a_linear_function_of_the_standardised_sums(seed):
    plain = AttentiveChromeModule(n_marks=3, bin_hidden_size=4, mark_hidden_size=2)
    assert plain.linear_path is None
    assert not any("summed_signal" in name for name in plain.state_dict())
    network = AttentiveChromeModule(
        n_marks=3, bin_hidden_size=4, mark_hidden_size=2, linear_path=True
    )
    X = torch.rand(5, 8, 3)
    with torch.no_grad():
        network.summed_signal_mean.copy_(torch.tensor([0.1, 0.2, 0.3]))
        network.summed_signal_scale.copy_(torch.tensor([2.0, 0.5, 1.0]))
        both = network.train()(X)[0]
        logit = network.eval()(X)[0]
    standardised = (
        AttentiveChromeModule.summed_signal(X) - torch.tensor([0.1, 0.2, 0.3])
    ) / torch.tensor([2.0, 0.5, 1.0])
    expected = standardised @ network.linear_path.weight[0] + network.linear_path.bias
    # Training mode: the logit beside the attention path's own; evaluation
    # mode: the logit alone.
    assert both.shape == (5, 2)
    torch.testing.assert_close(both[:, 0] - both[:, 1], expected.detach())
    torch.testing.assert_close(logit, both[:, 0])
    network.linear_path.weight.grad = None
    network.classifier.weight.grad = None
    network.train()(X)[0][:, 1].sum().backward()
    assert not network.linear_path.weight.grad.any()
    assert network.classifier.weight.grad.abs().sum() > 0
    network(X)[0][:, 0].sum().backward()
    assert network.linear_path.weight.grad.abs().sum() > 0
