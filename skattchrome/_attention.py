"""The attention layers of the networks: context-vector attention and sparsemax."""

import torch
from torch import nn

from ._validation import OneOf

ATTENTION_NORMALIZATIONS = ("softmax", "sparsemax")


def sparsemax(scores, dim=-1):
    """Sparsemax: the Euclidean projection of ``scores`` onto the simplex.

    Like the softmax it maps scores to non-negative weights that sum to one, but
    low scores get exactly zero weight.

    Parameters
    ----------
    scores : Tensor
        Scores to normalise.
    dim : int, default=-1
        Axis along which the weights sum to one.

    Returns
    -------
    weights : Tensor
        Same shape as ``scores``.

    References
    ----------
    .. [1] A. F. T. Martins, R. F. Astudillo. "From Softmax to Sparsemax: A
       Sparse Model of Attention and Multi-Label Classification". ICML 2016.

    Examples
    --------
    >>> import torch
    >>> from skattchrome import sparsemax
    >>> sparsemax(torch.tensor([2.0, 1.0, -1.0]))
    tensor([1., 0., 0.])
    >>> sparsemax(torch.tensor([1.0, 0.8, -1.0]))
    tensor([0.6000, 0.4000, 0.0000])
    """
    scores = scores.transpose(dim, -1)
    sorted_scores, _ = torch.sort(scores, dim=-1, descending=True)
    cumulative = sorted_scores.cumsum(dim=-1) - 1
    ranks = torch.arange(1, scores.shape[-1] + 1, device=scores.device)
    support_size = (ranks * sorted_scores > cumulative).sum(dim=-1, keepdim=True)
    threshold = cumulative.gather(-1, support_size - 1) / support_size
    return torch.clamp(scores - threshold, min=0).transpose(dim, -1)


class ContextAttention(nn.Module):
    """Soft attention over a sequence with a learned context vector.

    Each position ``t`` of a sequence of states ``h`` gets the score
    ``h[t] @ context``; the scores normalised over positions are the attention
    weights, and the weighted sum of the states is the summary. With ``n_groups``
    greater than one, each group of sequences (one per histone mark) has its own
    context vector. Scores can also come from other features of the same
    positions than the states that are summed (``score_features``).

    Parameters
    ----------
    n_features : int
        Size of the features that are scored: the states, or the
        ``score_features`` passed to ``forward``.
    n_groups : int, default=1
        Number of independent context vectors.
    normalization : {"softmax", "sparsemax"}, default="softmax"
        Map from scores to weights; sparsemax gives exact zeros.

    Examples
    --------
    >>> import torch
    >>> attention = ContextAttention(n_features=8, n_groups=3)
    >>> summary, weights = attention(torch.randn(4, 3, 10, 8))
    >>> summary.shape, weights.shape
    (torch.Size([4, 3, 8]), torch.Size([4, 3, 10]))
    """

    def __init__(self, n_features, n_groups=1, normalization="softmax"):
        super().__init__()
        OneOf(ATTENTION_NORMALIZATIONS).check("normalization", normalization)
        self.normalization = normalization
        self.context = nn.Parameter(torch.empty(n_groups, n_features))
        nn.init.uniform_(self.context, -0.1, 0.1)

    def forward(self, states, score_features=None, group=None):
        """Attend over the second-to-last axis of ``states``.

        Parameters
        ----------
        states : Tensor of shape (batch, n_groups, length, n_state_features) or \
                (batch, length, n_state_features)
            The sequences to summarise: of every group, or of one group when
            ``group`` is given or ``n_groups`` is 1.
        score_features : Tensor of shape (batch, n_groups, length, n_features) \
                or (batch, length, n_features), default=None
            Features that the scores are computed from, shaped like ``states``;
            None scores the states.
        group : int, default=None
            With 3-D ``states``, the group whose context vector scores them;
            None means group 0.

        Returns
        -------
        summary : Tensor of shape (batch, n_groups, n_state_features) or \
                (batch, n_state_features)
            Attention-weighted sum of the states.
        weights : Tensor of shape (batch, n_groups, length) or (batch, length)
            Attention weights; they sum to one over ``length``.
        """
        if states.dim() == 3:
            return self._attend(states, score_features, group or 0)
        summaries, weights = zip(
            *(
                self._attend(
                    states[:, index],
                    None if score_features is None else score_features[:, index],
                    index,
                )
                for index in range(states.shape[1])
            ),
            strict=True,
        )
        return torch.stack(summaries, dim=1), torch.stack(weights, dim=1)

    def _attend(self, states, score_features, group):
        """Attention over one group's sequences (batch, length, n_features).

        Computed along the first axis of the time-major view: a batch-first
        LSTM's output is time-major in memory, so that view is contiguous and
        neither the scores nor the weighted sum copy the states.
        """
        scored = states if score_features is None else score_features
        scores = scored.transpose(0, 1) @ self.context[group]
        normalize = sparsemax if self.normalization == "sparsemax" else torch.softmax
        weights = normalize(scores, dim=0)
        summary = (weights.unsqueeze(-1) * states.transpose(0, 1)).sum(dim=0)
        return summary, weights.t()
