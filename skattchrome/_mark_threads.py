"""The marks' bin-level encoders side by side on CPU threads.

AttentiveChrome encodes each histone mark with an LSTM of its own. On a CPU,
oneDNN's LSTM kernel gains little from a second intra-op thread at this
model's sizes and training batches, but the marks are independent: running
them on threads of their own, each with its own share of the torch threads,
uses the cores that a sequential loop over marks leaves idle. The work of a
batch, ``n_marks`` times its genes, is cut into one equal share per thread; a
mark whose genes straddle two shares is split between them by genes, which
leaves every gene's result as it is, up to float rounding. Forward and
backward pass of a share run on the same thread.
"""

from concurrent.futures import ThreadPoolExecutor
from itertools import pairwise

import torch


def balanced_segments(n_marks, n_genes, n_parts):
    """Cut the ``(mark, gene)`` pairs of a batch into ``n_parts`` equal shares.

    The pairs are taken mark by mark; each share is a run of whole marks, with
    possibly a part of a mark at either end. Returns, for each share, a list
    of ``(mark, start, stop)``: the genes ``start:stop`` of each ``mark`` that
    it encodes.

    Examples
    --------
    >>> from skattchrome._mark_threads import balanced_segments
    >>> balanced_segments(n_marks=5, n_genes=16, n_parts=2)
    [[(0, 0, 16), (1, 0, 16), (2, 0, 8)], [(2, 8, 16), (3, 0, 16), (4, 0, 16)]]
    """
    total = n_marks * n_genes
    bounds = [round(part * total / n_parts) for part in range(n_parts + 1)]
    parts = []
    for first, last in pairwise(bounds):
        segments = []
        position = first
        while position < last:
            mark, start = divmod(position, n_genes)
            stop = min(n_genes, start + last - position)
            segments.append((mark, start, stop))
            position += stop - start
        parts.append(segments)
    return parts


class MarkThreads:
    """Threads that each encode a share of the marks of every batch.

    The calling thread encodes the first share and ``n_threads - 1`` worker
    threads the others. Within the ``with`` block every one of them runs torch
    with ``threads_per_share`` intra-op threads; the calling thread's setting is
    restored on exit and the workers end.

    Parameters
    ----------
    n_threads : int
        Threads that encode shares, the calling thread included.
    threads_per_share : int, default=1
        Intra-op torch threads of each of them.
    """

    def __init__(self, n_threads, threads_per_share=1):
        self.n_threads = n_threads
        self.threads_per_share = threads_per_share

    def __enter__(self):
        self._caller_threads = torch.get_num_threads()
        torch.set_num_threads(self.threads_per_share)
        self._workers = [
            ThreadPoolExecutor(
                max_workers=1,
                thread_name_prefix="skattchrome-marks",
                initializer=torch.set_num_threads,
                initargs=(self.threads_per_share,),
            )
            for _ in range(self.n_threads - 1)
        ]
        return self

    def __exit__(self, *exc_info):
        for worker in self._workers:
            worker.shutdown()
        del self._workers
        torch.set_num_threads(self._caller_threads)

    def map(self, function, shares):
        """``[function(share) for share in shares]``, one share per thread.

        Share ``i`` always runs on the same thread, so the backward pass of a
        share runs where its forward pass ran.
        """
        futures = [
            worker.submit(function, share)
            for worker, share in zip(self._workers, shares[1:], strict=True)
        ]
        try:
            first = function(shares[0])
        finally:
            others = [future.result() for future in futures]
        return [first, *others]


def mark_threads(n_marks, n_threads):
    """The threads that share ``n_threads`` torch threads among the marks.

    ``min(n_marks, n_threads)`` threads with an equal part of the torch threads
    each, or None when that is fewer than two.

    Examples
    --------
    >>> from skattchrome._mark_threads import mark_threads
    >>> threads = mark_threads(n_marks=5, n_threads=16)
    >>> threads.n_threads, threads.threads_per_share
    (5, 3)
    >>> mark_threads(n_marks=5, n_threads=1) is None
    True
    """
    n_shares = min(n_marks, n_threads)
    if n_shares < 2:
        return None
    return MarkThreads(n_shares, threads_per_share=n_threads // n_shares)


def _encode_shares(module, threads, X, score_features, track_graph):
    """Encode every share on its thread; return the shares, results and maps.

    The shares are those of :func:`balanced_segments`. Each result is, per
    segment of the share, ``(inputs, embedding, weights)``:
    the leaf tensors cut from ``X`` and ``score_features`` that the segment
    read, its mark embeddings and its bin attention (None without attention).
    With ``track_graph`` the segments are recorded for autograd on their
    threads, whatever the caller's grad mode; otherwise they follow it.
    """
    grad_enabled = track_graph or torch.is_grad_enabled()
    inference = torch.is_inference_mode_enabled()
    needs_input_grad = track_graph and X.requires_grad
    needs_features_grad = (
        track_graph and score_features is not None and score_features.requires_grad
    )
    X = X.detach()
    if score_features is not None:
        score_features = score_features.detach()

    def encode(share):
        encoded = []
        with torch.inference_mode(inference), torch.set_grad_enabled(grad_enabled):
            for mark, start, stop in share:
                signal = X[start:stop, :, mark].requires_grad_(needs_input_grad)
                features = None
                if score_features is not None:
                    features = score_features[start:stop, mark]
                    features.requires_grad_(needs_features_grad)
                embedding, weights = module.encode_mark(signal, mark, features)
                encoded.append(((signal, features), embedding, weights))
        return encoded

    batch, n_bins, n_marks = X.shape
    parts = balanced_segments(n_marks, batch, threads.n_threads)
    results = threads.map(encode, parts)
    embeddings = X.new_empty((batch, n_marks, 2 * module.bin_encoders[0].hidden_size))
    bin_attention = (
        None
        if module.bin_attention_layer is None
        else X.new_empty(batch, n_bins, n_marks)
    )
    for share, encoded in zip(parts, results, strict=True):
        for (mark, start, stop), (_, embedding, weights) in zip(
            share, encoded, strict=True
        ):
            embeddings[start:stop, mark] = embedding.detach()
            if bin_attention is not None:
                bin_attention[start:stop, :, mark] = weights.detach()
    return parts, results, embeddings, bin_attention


def _added(totals, grads):
    """The gradients ``grads`` added to ``totals`` (None before the first)."""
    if totals is None:
        return grads
    return [total + grad for total, grad in zip(totals, grads, strict=True)]


class _EncodeOnThreads(torch.autograd.Function):
    """Encode the marks on threads, forward and backward.

    The inputs are the module and threads, ``X``, the score features (or None)
    and every parameter of the per-mark encoders; the outputs are the mark
    embeddings and the bin attention (None without bin attention). Each thread
    records the autograd graph of its share; the backward pass differentiates
    each share on its own thread and adds up the gradients of marks and context
    vectors that several shares hold. The shares' graphs are freed by the
    backward pass, so a second one (``retain_graph=True``) is refused.
    """

    @staticmethod
    def forward(ctx, module, threads, X, score_features, *parameters):
        ctx.set_materialize_grads(False)
        parts, results, embeddings, bin_attention = _encode_shares(
            module, threads, X, score_features, track_graph=True
        )
        ctx.module, ctx.threads = module, threads
        ctx.parts, ctx.results = parts, results
        ctx.shapes = X.shape, getattr(score_features, "shape", None)
        return embeddings, bin_attention

    @staticmethod
    @torch.autograd.function.once_differentiable
    def backward(ctx, grad_embeddings, grad_bin_attention=None):
        module = ctx.module
        needs_input_grad, needs_features_grad = ctx.needs_input_grad[2:4]
        results, ctx.results = ctx.results, None
        if results is None:
            raise RuntimeError(
                "Trying to backward through the marks' threads a second time: "
                "retain_graph=True is not supported within "
                "AttentiveChromeModule.marks_on_threads."
            )
        if grad_embeddings is None and grad_bin_attention is None:
            return (None,) * len(ctx.needs_input_grad)

        def differentiate(share_and_encoded):
            outputs, output_grads, inputs = [], [], []
            for (mark, start, stop), ((signal, features), embedding, weights) in zip(
                *share_and_encoded, strict=True
            ):
                if grad_embeddings is not None:
                    outputs.append(embedding)
                    output_grads.append(grad_embeddings[start:stop, mark])
                if grad_bin_attention is not None:
                    outputs.append(weights)
                    output_grads.append(grad_bin_attention[start:stop, :, mark])
                inputs.extend(module.mark_parameters(mark))
                if needs_input_grad:
                    inputs.append(signal)
                if needs_features_grad:
                    inputs.append(features)
            inputs.extend(module.shared_mark_parameters())
            return torch.autograd.grad(outputs, inputs, output_grads)

        share_grads = ctx.threads.map(
            differentiate, list(zip(ctx.parts, results, strict=True))
        )
        known = grad_embeddings if grad_embeddings is not None else grad_bin_attention
        X_shape, features_shape = ctx.shapes
        grad_X = known.new_zeros(X_shape) if needs_input_grad else None
        grad_features = known.new_zeros(features_shape) if needs_features_grad else None
        lstm_grads = [None] * module.n_marks
        shared_grads = None
        for share, grads in zip(ctx.parts, share_grads, strict=True):
            grads = iter(grads)
            for mark, start, stop in share:
                segment_grads = [next(grads) for _ in module.mark_parameters(mark)]
                lstm_grads[mark] = _added(lstm_grads[mark], segment_grads)
                if needs_input_grad:
                    grad_X[start:stop, :, mark] = next(grads)
                if needs_features_grad:
                    grad_features[start:stop, mark] = next(grads)
            shared_grads = _added(
                shared_grads, [next(grads) for _ in module.shared_mark_parameters()]
            )
        parameter_grads = [grad for grads in lstm_grads for grad in grads]
        parameter_grads.extend(shared_grads or [])
        return None, None, grad_X, grad_features, *parameter_grads


def encode_marks_on_threads(module, threads, X, score_features):
    """:meth:`AttentiveChromeModule.embed_marks` of an LSTM ``module``, on threads.

    ``threads`` are within their ``with`` block, ``X`` is on the CPU and
    ``score_features`` (batch, n_marks, n_bins, n_features) are the features
    that bin attention scores, or None to score the LSTM states.
    """
    if not torch.is_grad_enabled():
        return _encode_shares(module, threads, X, score_features, track_graph=False)[2:]
    parameters = [
        parameter
        for mark in range(module.n_marks)
        for parameter in module.mark_parameters(mark)
    ]
    parameters.extend(module.shared_mark_parameters())
    return _EncodeOnThreads.apply(module, threads, X, score_features, *parameters)
