"""The networks, as plain :class:`torch.nn.Module` classes."""

import torch
from torch import nn


class ContextAttention(nn.Module):
    """Soft attention over a sequence with a learned context vector.

    Each position ``t`` of a sequence of states ``h`` gets the score
    ``h[t] @ context``; the softmax of the scores over positions are the attention
    weights, and the weighted sum of the states is the summary. With ``n_groups``
    greater than one, each group of sequences (one per histone mark) has its own
    context vector.

    Parameters
    ----------
    n_features : int
        Size of each state.
    n_groups : int, default=1
        Number of independent context vectors.

    Examples
    --------
    >>> import torch
    >>> attention = ContextAttention(n_features=8, n_groups=3)
    >>> summary, weights = attention(torch.randn(4, 3, 10, 8))
    >>> summary.shape, weights.shape
    (torch.Size([4, 3, 8]), torch.Size([4, 3, 10]))
    """

    def __init__(self, n_features, n_groups=1):
        super().__init__()
        self.context = nn.Parameter(torch.empty(n_groups, n_features))
        nn.init.uniform_(self.context, -0.1, 0.1)

    def forward(self, states):
        """Attend over the second-to-last axis of ``states``.

        Parameters
        ----------
        states : Tensor of shape (batch, n_groups, length, n_features) or \
                (batch, length, n_features) when ``n_groups`` is 1
            The sequences to summarise.

        Returns
        -------
        summary : Tensor of shape (batch, n_groups, n_features) or (batch, n_features)
            Attention-weighted sum of the states.
        weights : Tensor of shape (batch, n_groups, length) or (batch, length)
            Attention weights; they sum to one over ``length``.
        """
        if states.dim() == 3:
            scores = states @ self.context[0]
        else:
            scores = torch.einsum("bglf,gf->bgl", states, self.context)
        weights = torch.softmax(scores, dim=-1)
        summary = (weights.unsqueeze(-1) * states).sum(dim=-2)
        return summary, weights


class AttentiveChromeModule(nn.Module):
    """The AttentiveChrome network of Singh et al. (2017).

    For each histone mark, a bidirectional LSTM of its own reads the mark's bins
    and a bin-level attention (``alpha``) with a context vector of its own
    summarises them into a mark embedding. A bidirectional LSTM reads the
    sequence of mark embeddings and a mark-level attention (``beta``) summarises
    them into the gene's embedding, which a linear layer maps to one logit.

    Parameters
    ----------
    n_marks : int
        Number of histone marks (input channels).
    bin_hidden_size : int, default=32
        Hidden size of each direction of the per-mark bin-level LSTMs.
    mark_hidden_size : int, default=16
        Hidden size of each direction of the mark-level LSTM.

    Notes
    -----
    The forward pass takes ``X`` of shape ``(batch, n_bins, n_marks)`` and
    returns ``(logit, bin_attention, mark_attention)`` with shapes ``(batch,)``,
    ``(batch, n_bins, n_marks)`` and ``(batch, n_marks)``, so that explaining a
    prediction needs no second pass.

    References
    ----------
    .. [1] R. Singh, J. Lanchantin, A. Sekhon, Y. Qi. "Attend and Predict:
       Understanding Gene Regulation by Selective Attention on Chromatin".
       Advances in Neural Information Processing Systems 30 (2017).

    Examples
    --------
    >>> import torch
    >>> from skattchrome import AttentiveChromeModule
    >>> network = AttentiveChromeModule(n_marks=5)
    >>> logit, bin_attention, mark_attention = network(torch.rand(2, 100, 5))
    >>> logit.shape, bin_attention.shape, mark_attention.shape
    (torch.Size([2]), torch.Size([2, 100, 5]), torch.Size([2, 5]))
    """

    def __init__(self, n_marks, bin_hidden_size=32, mark_hidden_size=16):
        super().__init__()
        self.n_marks = n_marks
        self.bin_encoders = nn.ModuleList(
            nn.LSTM(1, bin_hidden_size, batch_first=True, bidirectional=True)
            for _ in range(n_marks)
        )
        self.bin_attention = ContextAttention(2 * bin_hidden_size, n_groups=n_marks)
        self.mark_encoder = nn.LSTM(
            2 * bin_hidden_size, mark_hidden_size, batch_first=True, bidirectional=True
        )
        self.mark_attention = ContextAttention(2 * mark_hidden_size)
        self.classifier = nn.Linear(2 * mark_hidden_size, 1)

    def encode_bins(self, X):
        """Run each mark's bin-level LSTM over its bins.

        Parameters
        ----------
        X : Tensor of shape (batch, n_bins, n_marks)
            Binned signal.

        Returns
        -------
        states : Tensor of shape (batch, n_marks, n_bins, 2 * bin_hidden_size)
            Bidirectional LSTM states of every bin of every mark.
        """
        return torch.stack(
            [
                encoder(X[:, :, mark].unsqueeze(-1))[0]
                for mark, encoder in enumerate(self.bin_encoders)
            ],
            dim=1,
        )

    def forward(self, X):
        """Predict the logit of high expression and return both attention maps.

        Parameters
        ----------
        X : Tensor of shape (batch, n_bins, n_marks)
            Binned signal.

        Returns
        -------
        logit : Tensor of shape (batch,)
            Logit of the positive class.
        bin_attention : Tensor of shape (batch, n_bins, n_marks)
            Bin-level attention; sums to one over bins for each mark.
        mark_attention : Tensor of shape (batch, n_marks)
            Mark-level attention; sums to one over marks.
        """
        bin_states = self.encode_bins(X)
        mark_embeddings, bin_attention = self.bin_attention(bin_states)
        mark_states, _ = self.mark_encoder(mark_embeddings)
        gene_embedding, mark_attention = self.mark_attention(mark_states)
        logit = self.classifier(gene_embedding).squeeze(-1)
        return logit, bin_attention.transpose(1, 2), mark_attention
