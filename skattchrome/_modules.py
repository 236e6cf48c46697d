"""The networks, as plain :class:`torch.nn.Module` classes."""

import math
from contextlib import contextmanager

import torch
from torch import nn

from ._attention import ContextAttention
from ._mark_threads import encode_marks_on_threads, mark_threads
from ._validation import OneOf

BIN_ENCODERS = ("lstm", "cnn")
ATTENTION_SCORINGS = ("state", "local")


def prediction_and_maps(outputs):
    """Split what a network of the package returns: its prediction, then its maps.

    A network returns one number per gene (the logit of the positive class, or
    the standardised prediction of a regressor) alone, or first in a tuple
    followed by its attention maps.
    """
    if isinstance(outputs, tuple | list):
        return outputs[0], tuple(outputs[1:])
    return outputs, ()


def _per_mark_convolution(n_marks, n_features, kernel_size):
    """A convolution over bins with weights of its own for each mark."""
    return nn.Conv1d(
        n_marks, n_marks * n_features, kernel_size, padding="same", groups=n_marks
    )


def _per_mark_features(convolution, X):
    """``X`` (batch, n_bins, n_marks) convolved per mark, as (batch, n_marks,
    n_bins, n_features)."""
    batch, n_bins, n_marks = X.shape
    features = convolution(X.transpose(1, 2))
    return features.view(batch, n_marks, -1, n_bins).transpose(2, 3)


class AttentiveChromeModule(nn.Module):
    """The AttentiveChrome network of Singh et al. (2017) and its ablations.

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
        Hidden size of each direction of the per-mark bin-level LSTMs; a CNN
        bin encoder has ``2 * bin_hidden_size`` filters per mark.
    mark_hidden_size : int, default=16
        Hidden size of each direction of the mark-level LSTM.
    bin_encoder : {"lstm", "cnn"}, default="lstm"
        Per-mark encoder of the bins: a bidirectional LSTM, or a convolution
        (``cnn_kernel_size`` wide, ReLU) as in the paper's CNN-alpha,beta row.
    use_bin_attention : bool, default=True
        Summarise each mark's bins with attention. When False, a mark's
        embedding is the final states of its LSTM (both directions), or the
        maximum over bins of its CNN features.
    use_mark_attention : bool, default=True
        Read the mark embeddings with an LSTM and attention. When False, the mark
        embeddings are concatenated and fed to the linear layer.
    cnn_kernel_size : int, default=5
        Width, in bins, of the convolution of the CNN bin encoder and of the
        local features of ``attention_scoring="local"``.
    attention_scoring : {"state", "local"}, default="state"
        What the bin-level attention scores: the encoder's states of each bin
        (as published), or local features of the signal around each bin (a
        per-mark convolution ``cnn_kernel_size`` bins wide with tanh), so that
        a bin's weight depends on its neighbourhood only.
    attention_normalization : {"softmax", "sparsemax"}, default="softmax"
        Map from scores to attention weights at both levels.
    linear_path : bool, default=False
        Add to the logit a linear function of each mark's summed signal
        (:meth:`summed_signal`, standardised with the buffers
        ``summed_signal_mean`` and ``summed_signal_scale``), beside the
        attention path. In training mode the first output then holds, per
        gene, both the network's logit and the attention path's own, so that
        a training loss can fit both (see Notes).

    Notes
    -----
    The forward pass takes ``X`` of shape ``(batch, n_bins, n_marks)`` and
    returns ``(logit, bin_attention, mark_attention)`` with shapes ``(batch,)``,
    ``(batch, n_bins, n_marks)`` and ``(batch, n_marks)``, so that explaining a
    prediction needs no second pass. A level of attention that is switched off
    gives an empty map of shape ``(batch, 0)``.

    With ``linear_path`` and in training mode (``network.train()``), ``logit``
    has shape ``(batch, 2)``: the network's logit, then the attention path's
    own logit (the network's minus the linear path's). The package's losses
    fit both columns, so that the attention path remains a predictor of its
    own whose maps explain its prediction, and the linear path adds what the
    sums say; in evaluation mode only the first column is returned.

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

    # The threads of :meth:`marks_on_threads`, within its block.
    _mark_threads = None

    def __init__(
        self,
        n_marks,
        bin_hidden_size=32,
        mark_hidden_size=16,
        bin_encoder="lstm",
        use_bin_attention=True,
        use_mark_attention=True,
        cnn_kernel_size=5,
        attention_scoring="state",
        attention_normalization="softmax",
        linear_path=False,
    ):
        super().__init__()
        OneOf(BIN_ENCODERS).check("bin_encoder", bin_encoder)
        OneOf(ATTENTION_SCORINGS).check("attention_scoring", attention_scoring)
        self.n_marks = n_marks
        self.bin_encoder = bin_encoder
        bin_features = 2 * bin_hidden_size
        if bin_encoder == "lstm":
            self.bin_encoders = nn.ModuleList(
                nn.LSTM(1, bin_hidden_size, batch_first=True, bidirectional=True)
                for _ in range(n_marks)
            )
        else:
            self.bin_convolution = _per_mark_convolution(
                n_marks, bin_features, cnn_kernel_size
            )
        self.bin_attention_layer = (
            ContextAttention(
                bin_features, n_groups=n_marks, normalization=attention_normalization
            )
            if use_bin_attention
            else None
        )
        self.local_features = (
            _per_mark_convolution(n_marks, bin_features, cnn_kernel_size)
            if use_bin_attention and attention_scoring == "local"
            else None
        )
        if use_mark_attention:
            self.mark_encoder = nn.LSTM(
                bin_features, mark_hidden_size, batch_first=True, bidirectional=True
            )
            self.mark_attention_layer = ContextAttention(
                2 * mark_hidden_size, normalization=attention_normalization
            )
            self.classifier = nn.Linear(2 * mark_hidden_size, 1)
        else:
            self.mark_encoder = self.mark_attention_layer = None
            self.classifier = nn.Linear(n_marks * bin_features, 1)
        if linear_path:
            self.linear_path = nn.Linear(n_marks, 1)
            self.register_buffer("summed_signal_mean", torch.zeros(n_marks))
            self.register_buffer("summed_signal_scale", torch.ones(n_marks))
        else:
            self.linear_path = None

    def __getstate__(self):
        """The network's state without the threads of :meth:`marks_on_threads`.

        A network pickled or copied within the block computes as usual.
        """
        state = super().__getstate__()
        state.pop("_mark_threads", None)
        return state

    def __setstate__(self, state):
        """Restore a pickled network with each LSTM's weights in one block.

        Weights unpickled straight onto a CUDA device are separate tensors,
        which cuDNN would otherwise copy into one block on every call.
        """
        super().__setstate__(state)
        for module in self.modules():
            if isinstance(module, nn.LSTM):
                module.flatten_parameters()

    def _convolved_bins(self, X):
        """The CNN encoder's features of every bin of every mark."""
        return torch.relu(_per_mark_features(self.bin_convolution, X))

    def _local_score_features(self, X):
        """Per-mark features of each bin's neighbourhood, or None."""
        if self.local_features is None:
            return None
        return torch.tanh(_per_mark_features(self.local_features, X))

    def encode_mark(self, signal, mark, score_features=None):
        """Embedding and bin attention of one mark, from its LSTM encoder.

        The one per-mark step of the network: :meth:`embed_marks` calls it for
        each mark in turn, and :meth:`marks_on_threads` for shares of the marks
        on threads, so both compute the same function. Its parameters are
        :meth:`mark_parameters` of ``mark`` and :meth:`shared_mark_parameters`.

        Parameters
        ----------
        signal : Tensor of shape (batch, n_bins)
            The mark's binned signal.
        mark : int
            Index of the mark.
        score_features : Tensor of shape (batch, n_bins, n_features), default=None
            The mark's local score features (``attention_scoring="local"``),
            or None to score the LSTM states.

        Returns
        -------
        embedding : Tensor of shape (batch, 2 * bin_hidden_size)
            Attention-weighted sum of the mark's bin states or, without bin
            attention, the LSTM's last forward and first backward states.
        bin_attention : Tensor of shape (batch, n_bins) or None
            The mark's bin attention; None without bin attention.
        """
        states, (hidden, _) = self.bin_encoders[mark](signal.unsqueeze(-1))
        if self.bin_attention_layer is None:
            return torch.cat([hidden[0], hidden[1]], dim=-1), None
        return self.bin_attention_layer(states, score_features, group=mark)

    def mark_parameters(self, mark):
        """Parameters of :meth:`encode_mark` that belong to one mark alone.

        Parameters
        ----------
        mark : int
            Index of the mark.

        Returns
        -------
        parameters : list of Parameter
            The parameters of the mark's LSTM encoder.
        """
        return list(self.bin_encoders[mark].parameters())

    def shared_mark_parameters(self):
        """Parameters of :meth:`encode_mark` that every mark uses.

        Returns
        -------
        parameters : list of Parameter
            The context vectors of bin attention (one row per mark), or an
            empty list without bin attention.
        """
        if self.bin_attention_layer is None:
            return []
        return [self.bin_attention_layer.context]

    @contextmanager
    def marks_on_threads(self, n_threads=None):
        """Encode the marks side by side on CPU threads within the block.

        Each histone mark has an LSTM of its own, and on a CPU one LSTM call
        gains little from more than one core at the sizes of this network and
        of its training batches.
        Within the block, the work of every batch on the CPU (its genes times
        its marks) is cut into ``min(n_marks, n_threads)`` equal shares, each
        encoded, forward and backward, on a thread of its own with an equal
        part of the ``n_threads`` torch threads; the calling thread encodes
        one share and runs the rest of the network, with its torch threads set
        to that part until the block ends. The results are those of the
        sequential computation, up to the rounding of floating-point sums.
        Networks with a CNN bin encoder, or a single thread or mark, compute
        as usual.

        Parameters
        ----------
        n_threads : int, default=None
            Threads to use in all; None takes :func:`torch.get_num_threads`.

        Yields
        ------
        network : AttentiveChromeModule
            This network.

        Examples
        --------
        >>> import torch
        >>> from skattchrome import AttentiveChromeModule
        >>> network = AttentiveChromeModule(n_marks=5)
        >>> X = torch.rand(16, 100, 5)
        >>> with network.marks_on_threads(n_threads=2):
        ...     logit, bin_attention, mark_attention = network(X)
        >>> torch.allclose(logit, network(X)[0], atol=1e-6)
        True
        """
        if n_threads is None:
            n_threads = torch.get_num_threads()
        threads = mark_threads(self.n_marks, n_threads)
        if (
            self.bin_encoder != "lstm"
            or threads is None
            or self._mark_threads is not None
        ):
            yield self
            return
        with threads:
            self._mark_threads = threads
            try:
                yield self
            finally:
                del self._mark_threads

    def embed_marks(self, X):
        """Summarise each mark's bins into a mark embedding.

        Parameters
        ----------
        X : Tensor of shape (batch, n_bins, n_marks)
            Binned signal.

        Returns
        -------
        mark_embeddings : Tensor of shape (batch, n_marks, 2 * bin_hidden_size)
            Attention-weighted sums of each mark's bin states, or its final
            states without bin attention.
        bin_attention : Tensor of shape (batch, n_bins, n_marks) or None
            Bin-level attention; None without bin attention.

        Notes
        -----
        With the LSTM encoder, each mark is attended to straight from its
        LSTM's output, mark by mark: the states of all marks are never stacked
        into one tensor. This computes the same function as attending over the
        stacked states of all marks, at a fraction of the memory traffic.
        Within :meth:`marks_on_threads`, the marks are encoded side by side.
        """
        score_features = self._local_score_features(X)
        if self.bin_encoder == "cnn":
            features = self._convolved_bins(X)
            if self.bin_attention_layer is None:
                return features.amax(dim=2), None
            mark_embeddings, bin_attention = self.bin_attention_layer(
                features, score_features
            )
            return mark_embeddings, bin_attention.transpose(1, 2)
        if self._mark_threads is not None and X.device.type == "cpu" and len(X):
            return encode_marks_on_threads(self, self._mark_threads, X, score_features)
        mark_embeddings, bin_attention = zip(
            *(
                self.encode_mark(
                    X[:, :, mark],
                    mark,
                    None if score_features is None else score_features[:, mark],
                )
                for mark in range(self.n_marks)
            ),
            strict=True,
        )
        if self.bin_attention_layer is None:
            return torch.stack(mark_embeddings, dim=1), None
        return torch.stack(mark_embeddings, dim=1), torch.stack(bin_attention, dim=2)

    @staticmethod
    def summed_signal(X):
        """Each mark's summed signal on the log scale: what the linear path reads.

        The log of the mean of ``exp(X) - 1`` over bins plus ``1 / n_bins``:
        for ``X`` that is ``log1p`` of read counts, ``log1p`` of the mark's
        summed counts minus ``log(n_bins)``, the feature of
        :class:`ChromeLogisticClassifier` up to a constant. Computed from the
        log of the mean of ``exp(X)``, so that no count is ever formed and large
        values cannot overflow; for negative ``X`` (signal already
        standardised), where counts would be negative, it is floored at the
        log of that mean minus ``log(n_bins)``.

        Parameters
        ----------
        X : Tensor of shape (batch, n_bins, n_marks)
            Binned signal.

        Returns
        -------
        summed_signal : Tensor of shape (batch, n_marks)
            The feature of each mark.
        """
        n_bins = X.shape[1]
        log_mean_exp = torch.logsumexp(X, dim=1) - math.log(n_bins)
        share = 1 - (1 - 1 / n_bins) * torch.exp(-log_mean_exp)
        return log_mean_exp + torch.log(share.clamp(min=1 / n_bins))

    def forward(self, X):
        """Predict the logit of high expression and return both attention maps.

        Parameters
        ----------
        X : Tensor of shape (batch, n_bins, n_marks)
            Binned signal.

        Returns
        -------
        logit : Tensor of shape (batch,) or (batch, 2)
            Logit of the positive class; with ``linear_path`` in training mode,
            beside the attention path's own logit (see Notes).
        bin_attention : Tensor of shape (batch, n_bins, n_marks) or (batch, 0)
            Bin-level attention; sums to one over bins for each mark.
        mark_attention : Tensor of shape (batch, n_marks) or (batch, 0)
            Mark-level attention; sums to one over marks.
        """
        mark_embeddings, bin_attention = self.embed_marks(X)
        no_map = X.new_zeros((X.shape[0], 0))
        if bin_attention is None:
            bin_attention = no_map
        if self.mark_attention_layer is None:
            gene_embedding, mark_attention = mark_embeddings.flatten(1), no_map
        else:
            mark_states, _ = self.mark_encoder(mark_embeddings)
            gene_embedding, mark_attention = self.mark_attention_layer(mark_states)
        logit = self.classifier(gene_embedding).squeeze(-1)
        if self.linear_path is not None:
            # In double precision, rounded once: a gene's logit does not depend
            # on the batch it is in (single-precision sums over bins round by
            # where the gene sits in the batch). Apple's MPS has no float64.
            precise = torch.float32 if X.device.type == "mps" else torch.float64
            standardised = (
                self.summed_signal(X.to(precise)) - self.summed_signal_mean
            ) / self.summed_signal_scale
            weight, bias = self.linear_path.weight, self.linear_path.bias
            linear = (standardised * weight.to(precise)).sum(dim=-1) + bias.to(precise)
            attention_path_logit = logit
            logit = logit + linear.to(logit.dtype)
            if self.training:
                logit = torch.stack([logit, attention_path_logit], dim=-1)
        return logit, bin_attention, mark_attention


class DeepChromeModule(nn.Module):
    """The DeepChrome convolutional network of Singh et al. (2016).

    A convolution over bins with the marks as input channels, ReLU, max pooling,
    dropout, and a perceptron of two hidden layers to one logit.

    Parameters
    ----------
    n_bins : int
        Number of bins per gene; the sizes below are clipped to fit it.
    n_marks : int
        Number of histone marks (input channels).
    n_filters : int, default=50
        Number of convolution filters.
    kernel_size : int, default=10
        Width of the filters, in bins (at most ``n_bins``).
    pool_size : int, default=5
        Width of the max pooling, in positions (at most the convolution's
        output length).
    hidden_sizes : tuple of int, default=(625, 125)
        Sizes of the hidden dense layers.
    dropout : float, default=0.5
        Dropout after pooling.

    Notes
    -----
    With 100 bins the flattened pooled features have ``50 * 18 = 900`` entries,
    as published. The published network ends in two outputs and a softmax; this
    one ends in the equivalent single logit of the positive class.

    References
    ----------
    .. [1] R. Singh, J. Lanchantin, G. Robins, Y. Qi. "DeepChrome: deep-learning
       for predicting gene expression from histone modifications".
       Bioinformatics 32(17), i639-i648 (2016).

    Examples
    --------
    >>> import torch
    >>> from skattchrome import DeepChromeModule
    >>> network = DeepChromeModule(n_bins=100, n_marks=5)
    >>> network.dense[0]
    Linear(in_features=900, out_features=625, bias=True)
    >>> network(torch.rand(3, 100, 5)).shape
    torch.Size([3])
    """

    def __init__(
        self,
        n_bins,
        n_marks,
        n_filters=50,
        kernel_size=10,
        pool_size=5,
        hidden_sizes=(625, 125),
        dropout=0.5,
    ):
        super().__init__()
        kernel_size = min(kernel_size, n_bins)
        n_positions = n_bins - kernel_size + 1
        pool_size = min(pool_size, n_positions)
        self.convolution = nn.Conv1d(n_marks, n_filters, kernel_size)
        # A module, not torch.relu, so that DeepLift finds it and applies its rule.
        self.activation = nn.ReLU()
        self.pool = nn.MaxPool1d(pool_size)
        self.dropout = nn.Dropout(dropout)
        layers = []
        n_inputs = n_filters * (n_positions // pool_size)
        for size in hidden_sizes:
            layers += [nn.Linear(n_inputs, size), nn.ReLU()]
            n_inputs = size
        layers.append(nn.Linear(n_inputs, 1))
        self.dense = nn.Sequential(*layers)

    def forward(self, X):
        """Logit of high expression.

        Parameters
        ----------
        X : Tensor of shape (batch, n_bins, n_marks)
            Binned signal.

        Returns
        -------
        logit : Tensor of shape (batch,)
            Logit of the positive class.
        """
        features = self.pool(self.activation(self.convolution(X.transpose(1, 2))))
        return self.dense(self.dropout(features).flatten(1)).squeeze(-1)
