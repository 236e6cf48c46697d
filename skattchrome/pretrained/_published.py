"""The 55 published AttentiveChrome models of the Kipoi model zoo, as estimators."""

import contextlib
import os
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from sklearn.datasets import get_data_home

from .._attentivechrome import AttentiveChromeClassifier
from .._download import download, file_digest
from .._neural import restore_fitted
from .._validation import check_flag
from .._weights import tensor_layout_problems
from ..datasets import REFERENCE_MARKS, cell_types

PUBLISHED_URL = (
    "https://zenodo.org/api/files/2bf982b6-143f-49f6-b9ad-1b1e60f67292/"
    "{file_name}?download=1"
)
"""Where Kipoi serves the published weights; ``{file_name}`` is a cell type's file."""

URL_VARIABLE = "SKATTCHROME_PUBLISHED_URL"
"""Environment variable naming a mirror: a base URL or a ``file://`` folder."""

CACHE_FOLDER = "attentivechrome_published"
"""Sub-folder of the scikit-learn data home that holds the downloaded weights."""

_FILE_NAME = "{cell_type}_attchrome_avgAUC_model.pt"
# MD5 of each published file, from AttentiveChrome/models.tsv of kipoi/models
# (MIT licence): the 55 REMC cell types with a model (E059 has none).
_MD5 = {
    "E003": "9b4ff730ac5e70265f7a78162fa76768",
    "E004": "36edb7c1561bf26c29ebbd72fae9e6a2",
    "E005": "19f61dca439ffcf7bbe44ca15238ff4d",
    "E006": "6bf8b66481a97a3b8b1f6c019432a1e0",
    "E007": "da2104816feafbf1a2567af71a9be2d8",
    "E011": "51b455dbe695e3e059162c8154b09a74",
    "E012": "a0359c3462a8bbee23fb11e3ada5c43a",
    "E013": "1ca6c07c12773d6c69052959d6807ddc",
    "E016": "25e8e91376dfecca41087d4560c3e9ee",
    "E024": "34f1c4de69988560f63d983daf35a05f",
    "E027": "a878a845467287d8e9d821ed44c5ad93",
    "E028": "ad019b35a52fae8971df9790eb70e050",
    "E037": "45e32e1ab02692ad529de480761329de",
    "E038": "39036cd5afa8fc95222f88c2c9ad2ee6",
    "E047": "5428bbb213fb90e47205a753e7820aef",
    "E050": "e2b2edf9cf44d0c892b5619fc537ce57",
    "E053": "5237ab0e405298e1fd616f57bbdcd8d7",
    "E054": "1fd0ccc28e1c204574763a6dbb3e6c77",
    "E055": "f7f6dff85b274ee77179095c97421167",
    "E056": "93fdbc651eb966a94298a0c1d3452b8b",
    "E057": "37176c4f55a477e4d661ddcb8ac4a063",
    "E058": "a84d022064081663cdeba823e3d82d28",
    "E061": "0f777b410ade532bba4d0b90e827bb31",
    "E062": "f29133dd6809c451dfe94e9a8dfebe18",
    "E065": "c29295513ed0af1f038be4d1a2846fe5",
    "E066": "2e6ddfc87be8e2a1f86b6fc22a32c228",
    "E070": "f164f58f1965b3bd61eb5ae04a57def5",
    "E071": "333566e947e04a9dfdc543b6c489b1c3",
    "E079": "978c928625b8027bad8898c7aeac622b",
    "E082": "8b9d27c361c1ad258bde428fa72c8980",
    "E084": "c0c1009fe4febfbf7dc64406466d8459",
    "E085": "452ae1b368bf7b37d38ec89db51e463f",
    "E087": "22137bd5dc6bdb78bdde944297c4ec54",
    "E094": "f83430563d10c76f0396ed5574bee820",
    "E095": "37130b60530f29aaf485a9789c905a2e",
    "E096": "2be0fa577637386851bba657d6af60b5",
    "E097": "97d266de1fce0c207d141126ff5cb143",
    "E098": "8b40090f6217e0c252f56f92c5719a74",
    "E100": "89867aede18576cf245501be1b66de3c",
    "E104": "6d7defac37ffaf3bec204f76892eb2f2",
    "E105": "c773aac4b33885e6f69f0241a2b84931",
    "E106": "5d73011e3345e5d998d81169a8ea28c1",
    "E109": "689f51758a873d0c99d32e5e8c80513b",
    "E112": "a671823c56b8b4e000baec18562540aa",
    "E113": "586b6c6c003a7c919fde57d2be0f5180",
    "E114": "5ca9959f7442342907c2c5f0bc26d73b",
    "E116": "ecdeb5d30b6124b0bce0d5e45046cab9",
    "E117": "11be77c7266b198ee3f2fc74e452395c",
    "E118": "65bd6369cddb01a837910694b84d00a6",
    "E119": "ea3e5d604a4b69c3b26066e5d23dfe12",
    "E120": "98beb529d183c7b0d3ce661699a4d6aa",
    "E122": "eb26f18e6458bc4053c2dbdd1a95c6ac",
    "E123": "dae6687bc9e6ac27945c176a9cacc9cc",
    "E127": "9536df4e7822b0a14d2d50c451f47b1f",
    "E128": "458eb929a4691faad12a274e2c727f50",
}
# The published network (kipoi/models AttentiveChrome/models.py): 5 marks,
# bidirectional LSTMs of hidden size 32 over bins and 16 over marks.
_N_MARKS = 5
_N_BINS = 100
_BIN_HIDDEN = 32
_MARK_HIDDEN = 16
_LSTM_TENSORS = tuple(
    f"{kind}_l0{direction}"
    for direction in ("", "_reverse")
    for kind in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
)


def _lstm_shapes(n_inputs, hidden):
    shapes = {
        "weight_ih": (4 * hidden, n_inputs),
        "weight_hh": (4 * hidden, hidden),
        "bias_ih": (4 * hidden,),
        "bias_hh": (4 * hidden,),
    }
    return {name: shapes[name.split("_l0")[0]] for name in _LSTM_TENSORS}


def _published_layout():
    """Name and shape of every tensor of a published weights file."""
    layout = {}
    for mark in range(_N_MARKS):
        for name, shape in _lstm_shapes(1, _BIN_HIDDEN).items():
            layout[f"rnn_hms.{mark}.rnn.{name}"] = shape
        layout[f"rnn_hms.{mark}.bin_attention.bin_context_vector"] = (
            2 * _BIN_HIDDEN,
            1,
        )
    for name, shape in _lstm_shapes(2 * _BIN_HIDDEN, _MARK_HIDDEN).items():
        layout[f"hm_level_rnn_1.rnn.{name}"] = shape
    layout["hm_level_rnn_1.bin_attention.bin_context_vector"] = (2 * _MARK_HIDDEN, 1)
    layout["fdiff1_1.weight"] = (1, 2 * _MARK_HIDDEN)
    layout["fdiff1_1.bias"] = (1,)
    return layout


def published_cell_types():
    """The 55 cell types that have a published AttentiveChrome model.

    Returns
    -------
    cell_types : pandas.DataFrame of shape (55, 4)
        One row per cell type, sorted by id, with columns ``cell_type`` (the
        Roadmap epigenome id, as accepted by :func:`fetch_published`),
        ``name`` (its standardized Roadmap Epigenomics name), ``url`` (where
        Kipoi serves the weights) and ``md5`` (their published checksum).

    See Also
    --------
    fetch_published : Download one of them as a fitted classifier.
    skattchrome.datasets.cell_types : The 56 cell types of the data.

    Notes
    -----
    The table is that of the Kipoi model zoo (``AttentiveChrome/models.tsv``
    of kipoi/models): one model per cell type of the published archive but
    E059, for which none was published.

    Examples
    --------
    >>> from skattchrome.pretrained import published_cell_types
    >>> table = published_cell_types()
    >>> len(table), "E059" in set(table.cell_type)
    (55, False)
    >>> table.set_index("cell_type").loc["E123", "name"]
    'K562 Leukemia Cells'
    """
    names = cell_types().set_index("cell_type")["name"]
    return pd.DataFrame(
        [
            (
                cell_type,
                names[cell_type],
                PUBLISHED_URL.format(file_name=_FILE_NAME.format(cell_type=cell_type)),
                md5,
            )
            for cell_type, md5 in sorted(_MD5.items())
        ],
        columns=["cell_type", "name", "url", "md5"],
    )


def fetch_published(cell_type, *, data_home=None, download_if_missing=True):
    """The published AttentiveChrome model of a cell type, fitted and ready.

    On first use the cell type's weights (a PyTorch file of about 230 kB) are
    downloaded from the Kipoi model zoo into ``<data_home>/attentivechrome_published``
    and checked against the MD5 that Kipoi publishes; later calls read them
    from there. The weights are read as data (``torch.load`` with
    ``weights_only=True``) and loaded into an
    :class:`~skattchrome.AttentiveChromeClassifier`, which predicts, explains
    and scores at once.

    Parameters
    ----------
    cell_type : str
        Roadmap epigenome id, one of ``published_cell_types().cell_type``.
    data_home : str or path-like, default=None
        Folder of the cache. By default the scikit-learn data home,
        ``$SCIKIT_LEARN_DATA`` or ``~/scikit_learn_data``.
    download_if_missing : bool, default=True
        If False, raise an error instead of downloading missing weights.

    Returns
    -------
    model : AttentiveChromeClassifier
        Fitted on the cell type's training genes by the authors (see
        :func:`from_published_weights` for what it expects and holds).

    Raises
    ------
    ValueError
        If ``cell_type`` has no published model, or the file does not hold
        the published network.
    FileNotFoundError
        If the weights are not cached and ``download_if_missing`` is False.
    OSError
        If the download fails (an HTTP 404 at once, transient errors after
        three attempts) or its MD5 differs from the published one, in which
        case nothing is left in the cache; or if the cached file no longer
        has the published MD5.

    See Also
    --------
    from_published_weights : The same from a local file, without checksum.
    published_cell_types : The cell types, URLs and checksums.

    Notes
    -----
    The environment variable ``SKATTCHROME_PUBLISHED_URL`` replaces Kipoi's
    address, for a mirror or a local copy: a base URL, or a ``file://``
    folder, holding ``<cell_type>_attchrome_avgAUC_model.pt``. The files
    must still have the published MD5.

    The published models take the REMC read counts as they are in the
    archive's CSV files (no ``log1p``): 100 bins of 100 bp around the TSS,
    the marks in the order of :data:`~skattchrome.datasets.REFERENCE_MARKS`.

    References
    ----------
    .. [1] R. Singh, J. Lanchantin, A. Sekhon, Y. Qi. "Attend and Predict:
       Understanding Gene Regulation by Selective Attention on Chromatin".
       NeurIPS 2017. Models: https://kipoi.org/models/AttentiveChrome/

    Examples
    --------
    >>> import tempfile
    >>> from skattchrome.pretrained import fetch_published
    >>> fetch_published("E059")
    Traceback (most recent call last):
    ...
    ValueError: E059 has no published AttentiveChrome model; ...
    >>> with tempfile.TemporaryDirectory() as empty_home:
    ...     fetch_published("E003", data_home=empty_home, download_if_missing=False)
    Traceback (most recent call last):
    ...
    FileNotFoundError: The published weights of E003 are not in ...
    """
    if not isinstance(cell_type, str) or cell_type not in _MD5:
        raise ValueError(
            f"{cell_type} has no published AttentiveChrome model; the 55 that do "
            f"are {', '.join(sorted(_MD5))} (see published_cell_types())."
        )
    check_flag("download_if_missing", download_if_missing)
    file_name = _FILE_NAME.format(cell_type=cell_type)
    folder = Path(get_data_home(data_home)) / CACHE_FOLDER
    path = folder / file_name
    expected = _MD5[cell_type]
    if path.is_file():
        computed = file_digest(path, "md5")
        if computed != expected:
            raise OSError(
                f"The cached weights {path} have the MD5 checksum {computed}, not "
                f"the published {expected}: the file changed since it was "
                "downloaded. Remove it to download it again."
            )
    elif not download_if_missing:
        raise FileNotFoundError(
            f"The published weights of {cell_type} are not in {folder} and "
            "download_if_missing is False."
        )
    else:
        created = not folder.exists()
        folder.mkdir(parents=True, exist_ok=True)
        try:
            download(_url(file_name), path, digest=("md5", expected))
        except BaseException:
            if created:
                with contextlib.suppress(OSError):
                    folder.rmdir()
            raise
    return from_published_weights(path)


def _url(file_name):
    """The URL of a published file, on the mirror of ``$SKATTCHROME_PUBLISHED_URL``."""
    mirror = os.environ.get(URL_VARIABLE)
    if not mirror:
        return PUBLISHED_URL.format(file_name=file_name)
    return f"{mirror.rstrip('/')}/{file_name}"


def from_published_weights(path):
    """An AttentiveChromeClassifier with the weights of a published-layout file.

    Reads a PyTorch ``state_dict`` of the published AttentiveChrome network
    (as served by the Kipoi model zoo) as data, with ``torch.load(...,
    weights_only=True)``, so that opening it runs no code from it, and
    converts it into the network of
    :class:`~skattchrome.AttentiveChromeClassifier` at its default settings,
    which is the published one: its predictions and attention maps are those
    of the published network.

    Parameters
    ----------
    path : str or path-like
        The weights file. No checksum is checked: you vouch for the file
        (:func:`fetch_published` checks the published ones).

    Returns
    -------
    model : AttentiveChromeClassifier
        A fitted classifier at its default parameters: ``classes_`` is
        ``[0, 1]`` (1 = high expression), ``n_bins_`` 100, ``n_marks_`` 5 and
        ``mark_names_`` :data:`~skattchrome.datasets.REFERENCE_MARKS`. As it
        was not trained here, ``history_`` is empty, ``n_epochs_`` is 0,
        ``best_epoch_``, ``best_valid_auc_``, ``batch_size_`` and
        ``max_epochs_`` are None, and ``attention_`` is empty (no training
        genes were seen). ``set_params(warm_start=True)`` then ``fit``
        fine-tunes it.

    Raises
    ------
    FileNotFoundError
        If ``path`` is not a file.
    ValueError
        If the file cannot be read as weights without running code (a pickle
        of other objects, a corrupt file), or does not hold exactly the
        tensors of the published network: the message names the missing,
        unexpected and mis-shaped ones.

    See Also
    --------
    fetch_published : Download and check a published file first.
    skattchrome.load_model : Open a model saved by :func:`skattchrome.save_model`.

    Notes
    -----
    The published layout: for each mark ``i`` of 5, a bidirectional LSTM
    ``rnn_hms.{i}.rnn`` (input 1, hidden 32, time-major) and its context
    vector ``rnn_hms.{i}.bin_attention.bin_context_vector`` (64, 1); a
    bidirectional LSTM over the 5 mark embeddings ``hm_level_rnn_1.rnn``
    (input 64, hidden 16) and its context vector (32, 1); the linear layer
    ``fdiff1_1`` (1, 32), whose output goes through a sigmoid. The input is
    the archive's read counts, not their ``log1p``.

    Examples
    --------
    >>> import tempfile, torch
    >>> from pathlib import Path
    >>> from skattchrome.pretrained import from_published_weights
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = Path(folder) / "weights.pt"
    ...     torch.save({"fdiff1_1.weight": torch.zeros(1, 32)}, path)
    ...     from_published_weights(path)
    Traceback (most recent call last):
    ...
    ValueError: .../weights.pt does not hold the published AttentiveChrome network; ...
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path} is not a file.")
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:
        raise ValueError(
            f"{path} cannot be read as PyTorch weights without running code from "
            f"it, so it was not opened further: {type(error).__name__}: "
            f"{str(error).splitlines()[0] if str(error) else ''}"
        ) from error
    if not isinstance(state, dict) or not all(
        isinstance(name, str) and isinstance(tensor, torch.Tensor)
        for name, tensor in state.items()
    ):
        raise ValueError(
            f"{path} does not hold a state_dict (a mapping of tensor names to "
            f"tensors) but a {type(state).__name__}."
        )
    problems = tensor_layout_problems(
        _published_layout(),
        {name: tuple(tensor.shape) for name, tensor in state.items()},
    )
    if problems:
        raise ValueError(
            f"{path} does not hold the published AttentiveChrome network; "
            f"tensors {problems}."
        )
    model = AttentiveChromeClassifier(linear_path=False)
    attributes = {
        "n_features_in_": _N_BINS * _N_MARKS,
        "n_bins_": _N_BINS,
        "n_marks_": _N_MARKS,
        "mark_names_": np.asarray(REFERENCE_MARKS, dtype=object),
        "classes_": np.array([0, 1]),
        "batch_size_": None,
        "max_epochs_": None,
        "best_epoch_": None,
        "best_valid_auc_": None,
        "n_epochs_": 0,
        "attention_": {},
    }
    return restore_fitted(model, attributes, _converted(state), str(path))


def _converted(state):
    """The published tensors under the names of :class:`AttentiveChromeModule`."""
    network = {}
    for mark in range(_N_MARKS):
        for name in _LSTM_TENSORS:
            network[f"bin_encoders.{mark}.{name}"] = state[f"rnn_hms.{mark}.rnn.{name}"]
    network["bin_attention_layer.context"] = torch.cat(
        [
            state[f"rnn_hms.{mark}.bin_attention.bin_context_vector"].t()
            for mark in range(_N_MARKS)
        ]
    )
    for name in _LSTM_TENSORS:
        network[f"mark_encoder.{name}"] = state[f"hm_level_rnn_1.rnn.{name}"]
    network["mark_attention_layer.context"] = state[
        "hm_level_rnn_1.bin_attention.bin_context_vector"
    ].t()
    network["classifier.weight"] = state["fdiff1_1.weight"]
    network["classifier.bias"] = state["fdiff1_1.bias"]
    return network
