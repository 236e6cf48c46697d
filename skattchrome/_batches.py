"""Batches cut from whole arrays, for skorch's training and validation iterators."""

import torch


class ArrayBatches:
    """Iterate over a skorch dataset in batches cut from its whole arrays.

    A drop-in for :class:`torch.utils.data.DataLoader` on in-memory arrays: each
    batch is one indexing of the arrays instead of one ``__getitem__`` per gene
    followed by collation, which saves most of the per-batch overhead of small
    batches. Shuffling draws from torch's global generator, like the
    DataLoader's, so it follows ``torch.manual_seed``.

    Parameters
    ----------
    dataset : skorch.dataset.Dataset
        Dataset whose ``X`` (and ``y``, when not None) are arrays or tensors.
    batch_size : int
        Genes per batch; the last batch may be smaller.
    shuffle : bool, default=False
        Whether to visit the genes in a new random order on every pass.

    Examples
    --------
    >>> import numpy as np
    >>> from skorch.dataset import Dataset
    >>> from skattchrome._batches import ArrayBatches
    >>> batches = ArrayBatches(Dataset(np.zeros((5, 2, 3)), np.arange(5)), 2)
    >>> [(X.shape[0], y.tolist()) for X, y in batches]
    [(2, [0, 1]), (2, [2, 3]), (1, [4])]
    """

    def __init__(self, dataset, batch_size, shuffle=False):
        self.dataset = dataset
        self.batch_size = batch_size
        self.shuffle = shuffle

    def __len__(self):
        return -(-len(self.dataset) // self.batch_size)

    def __iter__(self):
        X = torch.as_tensor(self.dataset.X)
        y = None if self.dataset.y is None else torch.as_tensor(self.dataset.y)
        order = torch.randperm(len(X)) if self.shuffle else None
        for start in range(0, len(X), self.batch_size):
            batch = slice(start, start + self.batch_size)
            if order is not None:
                batch = order[batch]
            yield X[batch], (None if y is None else y[batch])
