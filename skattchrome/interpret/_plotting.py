"""Pictures of attention and saliency maps, drawn with matplotlib."""

import numpy as np

from .._optional import import_optional
from .._validation import check_finite, check_labels
from ._summaries import as_maps, check_bin_offsets, one_per, resolve_mark_names

_TICK_STEPS_BP = (100, 200, 250, 500, 1000, 2000, 2500, 5000, 10000, 20000, 50000)
"""Candidate spacings of the ticks along the window, in bp."""

_MAX_TICK_INTERVALS = 10
"""Most intervals between ticks along the window."""

_WINDOW_LABEL = "Distance from TSS (kb)"
"""Label of the x axis along the window."""

PLOT_KINDS = ("box", "violin")
"""The kinds of :func:`plot_mark_importance`."""


def _pyplot():
    """matplotlib.pyplot, or an ImportError that says how to install it."""
    return import_optional("matplotlib.pyplot", "plot", "Plotting")


def _bin_geometry(n_bins, bin_offsets):
    """Bin starts and the bin width, in bp from the TSS."""
    offsets = check_bin_offsets(bin_offsets, n_bins).astype(np.float64)
    return offsets, (offsets[1] - offsets[0] if n_bins > 1 else 100.0)


def _draw_window(ax, offsets, bin_size, *, tss_color="black"):
    """Put the x axis in kb from the TSS over the window and mark the TSS."""
    left, right = offsets[0], offsets[-1] + bin_size
    step = next(
        (s for s in _TICK_STEPS_BP if (right - left) / s <= _MAX_TICK_INTERVALS),
        _TICK_STEPS_BP[-1],
    )
    ticks = np.arange(np.ceil(left / step) * step, right + step / 2, step)
    ax.set_xticks(
        ticks, ["TSS" if tick == 0 else f"{tick / 1000:+g}" for tick in ticks]
    )
    ax.set_xlim(left, right)
    if left <= 0 <= right:
        ax.axvline(0, color=tss_color, linestyle="--", linewidth=1, label="TSS")


def _check_axes(ax, what="a matplotlib Axes"):
    """``ax`` as given, or a TypeError naming it when it holds no Axes."""
    from matplotlib.axes import Axes

    if not all(isinstance(one, Axes) for one in np.ravel(np.asarray(ax, dtype=object))):
        raise TypeError(f"ax must be None or {what}; got {ax!r}.")
    return ax


def _check_map(name, values):
    """One gene's map ``values`` (named ``name``) as finite floats."""
    if np.ndim(values) != 2:
        raise ValueError(
            f"{name} must have shape (n_bins, n_marks); got {np.shape(values)}."
        )
    return check_finite(name, values, dtype=None, empty=False)


def plot_attention(
    bin_attention, mark_attention, *, mark_names=None, bin_offsets=None, ax=None
):
    """Draw the attention of one gene or one class: bins per mark, and marks.

    A heatmap of bin attention (alpha) with one row per mark and the bins along
    the window (in kb from the TSS, which a dashed line marks), and beside it
    mark attention (beta) as horizontal bars aligned with the rows; a colour
    bar above the heatmap gives its scale.

    Parameters
    ----------
    bin_attention : array-like of shape (n_bins, n_marks)
        Bin attention of one gene, or a class average (see
        :func:`class_average` and ``attention_``).
    mark_attention : array-like of shape (n_marks,)
        Mark attention of the same gene or class.
    mark_names : sequence of str, default=None
        Row labels; None uses :data:`~skattchrome.datasets.REFERENCE_MARKS`
        for five marks, else ``"mark0"``, ``"mark1"``...
    bin_offsets : array-like of shape (n_bins,), default=None
        Start of each (evenly spaced) bin from the TSS in bp; None uses
        :func:`~skattchrome.datasets.bin_offsets`.
    ax : matplotlib Axes, default=None
        Axes of the heatmap; the bars and the colour bar go to axes appended
        beside and above it. None draws on a new figure.

    Returns
    -------
    heatmap_ax : matplotlib Axes
        The heatmap of bin attention.
    bar_ax : matplotlib Axes
        The bars of mark attention, sharing the rows of ``heatmap_ax``.

    Raises
    ------
    ImportError
        If matplotlib is not installed.

    See Also
    --------
    plot_signal_and_attention : One gene's signal under its attention.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> import numpy as np
    >>> from skattchrome.interpret import plot_attention
    >>> bin_attention = np.full((8, 5), 1 / 8)
    >>> mark_attention = np.array([0.1, 0.1, 0.2, 0.5, 0.1])
    >>> heatmap_ax, bar_ax = plot_attention(bin_attention, mark_attention)
    >>> [label.get_text() for label in heatmap_ax.get_yticklabels()]
    ['H3K27me3', 'H3K36me3', 'H3K4me1', 'H3K4me3', 'H3K9me3']
    >>> plt.close("all")
    """
    plt = _pyplot()
    from mpl_toolkits.axes_grid1 import make_axes_locatable

    bin_attention = _check_map("bin_attention", bin_attention)
    n_bins, n_marks = bin_attention.shape
    mark_attention = check_finite(
        "mark_attention",
        one_per("mark_attention", mark_attention, "value per mark", n_marks),
    )
    mark_names = resolve_mark_names(mark_names, n_marks)
    offsets, bin_size = _bin_geometry(n_bins, bin_offsets)
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 1.5 + 0.45 * n_marks))
    _check_axes(ax)
    rows = (n_marks - 0.5, -0.5)
    image = ax.imshow(
        bin_attention.T,
        aspect="auto",
        interpolation="nearest",
        cmap="viridis",
        extent=(offsets[0], offsets[-1] + bin_size, *rows),
    )
    _draw_window(ax, offsets, bin_size, tss_color="white")
    ax.set_xlabel(_WINDOW_LABEL)
    ax.set_yticks(np.arange(n_marks), mark_names)

    divider = make_axes_locatable(ax)
    bar_ax = divider.append_axes("right", size="20%", pad=0.3, sharey=ax)
    bar_ax.barh(np.arange(n_marks), mark_attention, height=0.8, color="tab:orange")
    bar_ax.set_ylim(*rows)
    bar_ax.tick_params(labelleft=False)
    bar_ax.set_xlabel("Mark attention (β)")
    colorbar_ax = divider.append_axes("top", size=0.12, pad=0.1)
    ax.figure.colorbar(image, cax=colorbar_ax, orientation="horizontal")
    colorbar_ax.xaxis.set_ticks_position("top")
    colorbar_ax.xaxis.set_label_position("top")
    colorbar_ax.set_xlabel("Bin attention (\N{GREEK SMALL LETTER ALPHA})")
    return ax, bar_ax


def plot_signal_and_attention(
    signal,
    attention,
    *,
    mark_names=None,
    bin_offsets=None,
    attention_label="Attention",
    ax=None,
):
    """Draw one gene's input signal per mark with its attention or saliency over it.

    One panel per mark: the signal of each bin as grey bars, and the map as a
    line on a second y axis on the right; a dashed line marks the TSS and the
    first panel has the legend.

    Parameters
    ----------
    signal : array-like of shape (n_bins, n_marks)
        The gene's input signal, as given to the model (one gene of a 3-D
        ``X``).
    attention : array-like of shape (n_bins, n_marks)
        The gene's bin attention, or its saliency.
    mark_names : sequence of str, default=None
        Panel labels; None uses :data:`~skattchrome.datasets.REFERENCE_MARKS`
        for five marks, else ``"mark0"``, ``"mark1"``...
    bin_offsets : array-like of shape (n_bins,), default=None
        Start of each (evenly spaced) bin from the TSS in bp; None uses
        :func:`~skattchrome.datasets.bin_offsets`.
    attention_label : str, default="Attention"
        Legend entry and axis label of the map, for example ``"Saliency"``.
    ax : sequence of n_marks matplotlib Axes, default=None
        One axes per mark for the signal; None draws on a new figure with the
        panels stacked.

    Returns
    -------
    signal_axes : list of matplotlib Axes
        The axes of the signal, one per mark.
    attention_axes : list of matplotlib Axes
        Their twins with the map, one per mark.

    Raises
    ------
    ImportError
        If matplotlib is not installed.

    See Also
    --------
    plot_attention : Attention of all marks as one heatmap.
    saliency : Gradient-based maps to draw.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> import numpy as np
    >>> from skattchrome.interpret import plot_signal_and_attention
    >>> rng = np.random.default_rng(0)
    >>> signal_axes, attention_axes = plot_signal_and_attention(
    ...     rng.poisson(3, (8, 5)), rng.random((8, 5))
    ... )
    >>> len(signal_axes), len(attention_axes)
    (5, 5)
    >>> plt.close("all")
    """
    plt = _pyplot()
    signal = _check_map("signal", signal)
    attention = _check_map("attention", attention)
    if attention.shape != signal.shape:
        raise ValueError(
            f"attention of shape {attention.shape} does not match signal of shape "
            f"{signal.shape}."
        )
    n_bins, n_marks = signal.shape
    mark_names = resolve_mark_names(mark_names, n_marks)
    offsets, bin_size = _bin_geometry(n_bins, bin_offsets)
    if ax is None:
        _, ax = plt.subplots(
            n_marks, 1, sharex=True, squeeze=False, figsize=(8, 0.6 + 1.4 * n_marks)
        )
    _check_axes(ax, "a sequence of matplotlib Axes, one per mark")
    signal_axes = list(one_per("ax", np.ravel(ax), "axes per mark", n_marks))
    attention_axes = []
    for mark, (signal_ax, name) in enumerate(zip(signal_axes, mark_names, strict=True)):
        signal_ax.bar(
            offsets,
            signal[:, mark],
            width=bin_size,
            align="edge",
            color="0.75",
            label="Signal",
        )
        _draw_window(signal_ax, offsets, bin_size)
        signal_ax.set_ylabel(name)
        attention_ax = signal_ax.twinx()
        attention_ax.plot(
            offsets + bin_size / 2,
            attention[:, mark],
            color="tab:red",
            label=attention_label,
        )
        attention_ax.set_ylabel(attention_label, color="tab:red")
        attention_axes.append(attention_ax)
    signal_axes[-1].set_xlabel(_WINDOW_LABEL)
    handles = [
        handle
        for panel in (signal_axes[0], attention_axes[0])
        for handle in panel.get_legend_handles_labels()[0]
    ]
    attention_axes[0].legend(handles=handles, loc="upper right", fontsize="small")
    return signal_axes, attention_axes


def plot_mark_importance(mark_attention, y, *, mark_names=None, kind="box", ax=None):
    """Draw the spread of mark attention across genes, per mark and class.

    Parameters
    ----------
    mark_attention : array-like of shape (n_genes, n_marks) or AttentionMaps
        Mark attention of each gene (the mark attention of AttentionMaps).
    y : array-like of shape (n_genes,)
        Label of each gene; each class gets a box (or violin) per mark, side
        by side, in its own colour.
    mark_names : sequence of str, default=None
        Tick labels; None uses :data:`~skattchrome.datasets.REFERENCE_MARKS`
        for five marks, else ``"mark0"``, ``"mark1"``...
    kind : {"box", "violin"}, default="box"
        Box plots or violin plots.
    ax : matplotlib Axes, default=None
        Axes to draw on; None draws on a new figure.

    Returns
    -------
    ax : matplotlib Axes
        The axes drawn on, with a legend of the classes.

    Raises
    ------
    ImportError
        If matplotlib is not installed.

    See Also
    --------
    top_marks : The marks of each gene ranked in a table.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> import numpy as np
    >>> from skattchrome.interpret import plot_mark_importance
    >>> rng = np.random.default_rng(0)
    >>> mark_attention = rng.dirichlet(np.ones(5), size=20)
    >>> ax = plot_mark_importance(mark_attention, rng.integers(0, 2, 20))
    >>> [text.get_text() for text in ax.get_legend().get_texts()]
    ['0', '1']
    >>> plt.close("all")
    """
    plt = _pyplot()
    from matplotlib.patches import Patch

    if kind not in PLOT_KINDS:
        raise ValueError(f"kind must be one of {PLOT_KINDS}; got {kind!r}.")
    values = as_maps(mark_attention, "mark", name="mark_attention")
    n_genes, n_marks = values.shape
    y = one_per("y", y, "label per gene", n_genes)
    mark_names = resolve_mark_names(mark_names, n_marks)
    if ax is None:
        _, ax = plt.subplots(figsize=(1.2 + 1.1 * n_marks, 4))
    _check_axes(ax)
    labels, _ = check_labels(y)
    width = 0.8 / len(labels)
    handles = []
    for index, label in enumerate(labels):
        color = f"C{index}"
        positions = np.arange(n_marks) + (index - (len(labels) - 1) / 2) * width
        data = [values[y == label, mark] for mark in range(n_marks)]
        if kind == "box":
            parts = ax.boxplot(
                data,
                positions=positions,
                widths=0.9 * width,
                patch_artist=True,
                manage_ticks=False,
            )
            for box in parts["boxes"]:
                box.set_facecolor(color)
        else:
            parts = ax.violinplot(
                data, positions=positions, widths=0.9 * width, showmedians=True
            )
            for body in parts["bodies"]:
                body.set_facecolor(color)
            for lines in ("cbars", "cmins", "cmaxes", "cmedians"):
                parts[lines].set_color(color)
        handles.append(Patch(facecolor=color, label=str(label)))
    ax.set_xticks(np.arange(n_marks), mark_names)
    ax.set_ylabel("Mark attention (β)")
    ax.legend(handles=handles, title="Class")
    return ax
