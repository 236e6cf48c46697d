"""Model files that are data: save and load every estimator without pickle.

A model file is a ZIP archive of at most four members:

- ``skattchrome-model.json``, the manifest: the format and its version, the
  estimator's class and parameters, its fitted attributes as JSON (arrays
  referred to by name), and the SHA256 of every other member;
- ``network.safetensors``, a neural network's weights (safetensors);
- ``arrays.safetensors``, the numeric arrays among the fitted attributes;
- ``estimator.skops``, the scikit-learn model inside a classical baseline
  (a random forest, or a scaler and a linear model), in the skops format.

Opening one reads JSON, safetensors and skops data and builds the estimator
from the package's own classes: no code stored in the file runs, and a file
that holds a pickle is refused before anything is unpickled.
"""

import hashlib
import json
import os
import zipfile
import zlib
from pathlib import Path

import numpy as np
from safetensors import SafetensorError
from safetensors.numpy import load as load_arrays
from safetensors.numpy import save as save_arrays
from safetensors.torch import load as load_tensors
from safetensors.torch import save as save_tensors
from sklearn.utils.validation import check_is_fitted

from ._attention_maps import AttentionMaps
from ._base import ChromatinEstimatorBase, check_own_parameters
from ._files import atomic_file
from ._neural import NeuralChromatinEstimator, restore_fitted
from ._registry import MODELS
from ._validation import SHOWN_IN_ERRORS
from ._version import __version__

FORMAT = "skattchrome-model"
"""The name a model file gives its format in its manifest."""

FORMAT_VERSION = 1
"""The version of the model-file format this release writes and reads."""

MANIFEST = "skattchrome-model.json"
NETWORK = "network.safetensors"
ARRAYS = "arrays.safetensors"
SKLEARN_MODEL = "estimator.skops"
_MEMBERS = (MANIFEST, NETWORK, ARRAYS, SKLEARN_MODEL)
# The fitted attributes that hold a scikit-learn model, stored with skops.
_SKLEARN_ATTRIBUTES = ("forest_", "pipeline_")
# Types that skops does not trust by default but that these models hold: the
# trees of the random forests. Any other untrusted type refuses the file.
_TRUSTED_SKOPS_TYPES = ("sklearn.tree._tree.Tree",)
# Parameters added after files of format version 1 were first written, with
# the value that builds the model such a file holds.
_PARAMETERS_ADDED_SINCE_VERSION_1 = {"linear_path": False}
_ESTIMATORS = {
    estimator_class.__name__: estimator_class
    for model in MODELS.values()
    for estimator_class in (model.classifier, model.regressor)
    if estimator_class is not None
}
# How a value that JSON has no type for is tagged in the manifest.
_TAG = "__skattchrome__"


class _Encoder:
    """Turns parameters and fitted attributes into JSON, numeric arrays aside."""

    def __init__(self):
        self.arrays = {}

    def encode(self, value, where):
        if value is None or isinstance(value, bool | int | float | str):
            return value
        if isinstance(value, AttentionMaps):
            return {_TAG: "attention_maps", "levels": self.encode(list(value), where)}
        if isinstance(value, tuple):
            return {_TAG: "tuple", "items": self.encode(list(value), where)}
        if isinstance(value, list):
            return [self.encode(item, f"{where}[{i}]") for i, item in enumerate(value)]
        if isinstance(value, dict):
            return {
                _TAG: "dict",
                "items": [
                    [self.encode(key, where), self.encode(item, f"{where}[{key!r}]")]
                    for key, item in value.items()
                ],
            }
        if isinstance(value, np.generic):
            return {_TAG: "scalar", "dtype": value.dtype.str, "value": value.item()}
        if isinstance(value, np.ndarray):
            if value.dtype.kind in "biuf":
                name = f"{len(self.arrays)}"
                self.arrays[name] = np.ascontiguousarray(value)
                return {_TAG: "array", "name": name}
            if value.dtype.kind in "OU":
                items = value.tolist()
                if not all(isinstance(item, str) for item in np.ravel(value)):
                    raise TypeError(
                        f"{where} is an object array of other values than "
                        "strings; a model file stores arrays of numbers or of "
                        "strings."
                    )
                return {_TAG: "strings", "dtype": value.dtype.str, "items": items}
        raise TypeError(
            f"{where} is a {type(value).__name__}, which a model file cannot store "
            "as data."
        )


class _Decoder:
    """The inverse of :class:`_Encoder`, given the arrays read back."""

    def __init__(self, arrays, path):
        self.arrays = arrays
        self.path = path

    def decode(self, value):
        if isinstance(value, list):
            return [self.decode(item) for item in value]
        if not isinstance(value, dict):
            return value
        kind = value.get(_TAG)
        if kind == "tuple":
            return tuple(self.decode(value["items"]))
        if kind == "dict":
            return {self.decode(key): self.decode(item) for key, item in value["items"]}
        if kind == "attention_maps":
            return AttentionMaps(*self.decode(value["levels"]))
        if kind == "scalar":
            return np.array(value["value"], dtype=np.dtype(value["dtype"]))[()]
        if kind == "strings":
            dtype = np.dtype(value["dtype"])
            if dtype.kind not in "OU":
                raise _invalid(self.path, f"an array of strings of dtype {dtype}")
            return np.array(value["items"], dtype=dtype)
        if kind == "array" and value["name"] in self.arrays:
            return self.arrays[value["name"]]
        raise _invalid(self.path, f"an entry it cannot read: {str(value)[:80]}")


def _invalid(path, what):
    return ValueError(
        f"{path} is not a valid skattchrome model file: its manifest holds {what}."
    )


def _check_path(path):
    """Refuse what is not a path, and an empty one (the current folder to Path)."""
    if not isinstance(path, str | bytes | os.PathLike):
        raise TypeError(
            f"path must be the path of a model file; got {type(path).__name__}."
        )
    if isinstance(path, str | bytes) and not path.strip():
        raise ValueError("path is empty: give the model file's name.")


def save_model(estimator, path):
    """Save a fitted estimator of the package to a file that is data, not code.

    The file holds the estimator's class, parameters and fitted attributes as
    JSON, the weights of a neural network in safetensors and the
    scikit-learn model inside a classical baseline in the skops format, in
    one ZIP archive. :func:`load_model` opens it without running code from
    it, in any process, and the model predicts exactly as before.

    Parameters
    ----------
    estimator : estimator
        A fitted estimator of the package: AttentiveChrome, DeepChrome, the
        random forests or the linear baselines, classifier or regressor.
    path : str or path-like
        The file to write, replaced if it exists. It is written to a
        temporary file in the same folder first, so that a failure leaves no
        half-written file behind; it gets the permissions that the umask
        gives any new file (``0o644`` under umask 022).

    Raises
    ------
    OSError
        If the file cannot be written: its folder is missing or not a folder,
        ``path`` is a folder, or the disk is full. The error names ``path``.
    ValueError
        If ``path`` is empty (it is a TypeError when ``path`` is not a path).
    TypeError
        If ``estimator`` is not an estimator of the package (a
        :class:`~sklearn.pipeline.Pipeline`, say: save its last step and
        rebuild the others in code), or a parameter or attribute cannot be
        stored as data (a ``random_state`` given as a ``RandomState``).
    sklearn.exceptions.NotFittedError
        If the estimator is not fitted.

    See Also
    --------
    load_model : Open a file written by this function.
    skattchrome.pretrained.fetch_published : A published AttentiveChrome model.

    Notes
    -----
    Pickle (and :mod:`joblib`) keep working for fitted models, as everywhere
    in scikit-learn, but opening a pickle runs whatever code it holds: use
    them for files you made yourself, and this format for files you share or
    receive. The file names its format version; a release that reads an older
    version keeps reading it, and a file of a newer version is refused by
    name. The training history (``history_``) is stored; the optimizer's
    state is not, so a warm start from a loaded model begins with a fresh
    optimizer, as any warm start does.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import numpy as np
    >>> from skattchrome import AttentiveChromeClassifier, load_model, save_model
    >>> from skattchrome.datasets import make_chromatin_data
    >>> X, y = make_chromatin_data(n_genes=60, n_bins=10, random_state=0)
    >>> model = AttentiveChromeClassifier(
    ...     log_transform=True, max_epochs=2, random_state=0
    ... ).fit(X, y)
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = Path(folder) / "model.skattchrome"
    ...     save_model(model, path)
    ...     loaded = load_model(path)
    >>> bool(np.array_equal(loaded.predict_proba(X), model.predict_proba(X)))
    True
    """
    if not isinstance(estimator, ChromatinEstimatorBase) or (
        type(estimator).__name__ not in _ESTIMATORS
    ):
        raise TypeError(
            "save_model saves the estimators of skattchrome; got a "
            f"{type(estimator).__name__}. For a Pipeline, save its fitted last "
            "step and rebuild the other steps in code."
        )
    check_is_fitted(estimator)
    _check_path(path)
    encoder = _Encoder()
    members = {}
    attributes = {}
    for name, value in vars(estimator).items():
        if not name.endswith("_") or name.startswith("_"):
            continue
        if name == "net_":
            members[NETWORK] = save_tensors(
                {
                    key: tensor.detach().cpu().contiguous()
                    for key, tensor in value.module_.state_dict().items()
                }
            )
        elif name == "history_":
            attributes[name] = encoder.encode(value.to_list(), name)
        elif name in _SKLEARN_ATTRIBUTES:
            import skops.io  # on demand: it adds most of a second to the import

            members[SKLEARN_MODEL] = skops.io.dumps(value)
            attributes[name] = {_TAG: "sklearn_model"}
        else:
            attributes[name] = encoder.encode(value, name)
    parameters = {
        name: encoder.encode(value, f"parameter {name}")
        for name, value in estimator.get_params(deep=False).items()
    }
    if encoder.arrays:
        members[ARRAYS] = save_arrays(encoder.arrays)
    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "skattchrome_version": __version__,
        "estimator": type(estimator).__name__,
        "parameters": parameters,
        "attributes": attributes,
        "members": {
            name: hashlib.sha256(content).hexdigest()
            for name, content in members.items()
        },
    }
    _write_atomically(
        Path(path), {MANIFEST: json.dumps(manifest, indent=1).encode(), **members}
    )


def _write_atomically(path, members):
    """Write the ZIP archive of ``members`` to ``path`` through a temporary file."""
    with (
        atomic_file(path) as handle,
        zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED) as archive,
    ):
        for name, content in members.items():
            archive.writestr(name, content)


def is_model_file(path):
    """Whether ``path`` is a ZIP archive with a skattchrome model manifest."""
    try:
        with zipfile.ZipFile(path) as archive:
            return MANIFEST in archive.namelist()
    except (OSError, zipfile.BadZipFile):
        return False


def _not_a_model_file(path):
    """The ValueError that says what a file that is not a model file holds."""
    with open(path, "rb") as handle:
        head = handle.read(4)
    if not head:
        return ValueError(f"{path} is empty, not a model written by save_model.")
    if head[:1] == b"\x80":
        return _pickle_refused(path, "holds a pickle (such as a joblib or pickle dump)")
    if head[:2] in (b"\x78\x01", b"\x78\x5e", b"\x78\x9c", b"\x78\xda", b"\x1f\x8b"):
        return _pickle_refused(
            path, "holds a compressed stream, such as a compressed joblib pickle"
        )
    if head == b"PK\x03\x04" or zipfile.is_zipfile(path):
        try:
            with zipfile.ZipFile(path) as archive:
                names = archive.namelist()
        except zipfile.BadZipFile as error:
            return _damaged(path, error)
        if any(name.endswith(".pkl") for name in names):
            return _pickle_refused(
                path, "holds a pickle inside a ZIP archive (such as a torch.save file)"
            )
        return ValueError(
            f"{path} is a ZIP archive without a skattchrome model manifest, not a "
            "model written by skattchrome.save_model."
        )
    return ValueError(
        f"{path} is not a skattchrome model file, nor a pickle: not a model "
        "written by skattchrome.save_model."
    )


def _pickle_refused(path, what):
    return ValueError(
        f"{path} {what}, not a model written by skattchrome.save_model. A pickle "
        "is not opened here, because unpickling runs whatever code the file "
        "holds; if you trust its source, open it with joblib.load yourself."
    )


def _damaged(path, error):
    return ValueError(
        f"{path} is a damaged skattchrome model file: it was cut short or changed "
        f"after it was saved ({type(error).__name__}: {error})."
    )


def load_model(path, *, device=None):
    """Open a model saved by :func:`save_model`, running no code from the file.

    Parameters
    ----------
    path : str or path-like
        A file written by :func:`save_model`.
    device : str, default=None
        For a neural model, the device to load it on (``"cpu"``, ``"cuda"``,
        ``"auto"``...), which becomes its ``device`` parameter; None keeps the
        saved parameter. Ignored by the classical baselines.

    Returns
    -------
    estimator : estimator
        The fitted estimator, with its parameters and fitted attributes
        (``classes_``, ``mark_names_``, ``attention_``, ``history_``...); it
        predicts exactly as it did when saved.

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    ValueError
        If the file is not a model file: an empty file, a pickle (which is
        never opened, as unpickling runs code), another archive, a model file
        cut short or damaged, a file of a newer format
        version than this release reads, a file whose members do not match
        the checksums of its manifest (changed after it was saved), or one
        that names an estimator or holds values that the package does not
        have or accept.

    See Also
    --------
    save_model : Write such a file.

    Examples
    --------
    >>> import pickle, tempfile
    >>> from pathlib import Path
    >>> from skattchrome import load_model
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = Path(folder) / "model.pkl"
    ...     path.write_bytes(pickle.dumps({"a": 1}))
    ...     load_model(path)
    Traceback (most recent call last):
    ...
    ValueError: .../model.pkl holds a pickle (such as a joblib or pickle dump), ...
    """
    _check_path(path)
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path} is not a file.")
    if not is_model_file(path):
        raise _not_a_model_file(path)
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        unknown = sorted(set(names) - set(_MEMBERS))
        if unknown or len(names) != len(set(names)):
            raise ValueError(
                f"{path} is not a valid skattchrome model file: it holds members "
                f"that a model file does not have: {unknown[:SHOWN_IN_ERRORS]}."
            )
        try:
            contents = {name: archive.read(name) for name in names}
        except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as error:
            raise _damaged(path, error) from error
    manifest = _read_manifest(path, contents.pop(MANIFEST))
    _check_members(path, manifest, contents)
    try:
        return _estimator(path, manifest, contents, device)
    except (KeyError, TypeError, IndexError, AttributeError, SafetensorError) as error:
        raise ValueError(
            f"{path} is not a valid skattchrome model file: its content cannot be "
            f"read back ({type(error).__name__}: {error})."
        ) from error


def _estimator(path, manifest, contents, device):
    """The fitted estimator that a checked manifest and its members describe."""
    estimator_class = _ESTIMATORS.get(manifest["estimator"])
    if estimator_class is None:
        raise _invalid(
            path, f"an estimator that skattchrome lacks: {manifest['estimator']!r}"
        )
    unfitted = [
        name
        for name in manifest["attributes"]
        if not (isinstance(name, str) and name.endswith("_")) or name.startswith("_")
    ]
    if unfitted:
        raise _invalid(path, f"attributes that are not fitted ones: {unfitted[:3]}")
    arrays = load_arrays(contents[ARRAYS]) if ARRAYS in contents else {}
    decoder = _Decoder(arrays, path)
    parameters = {
        name: decoder.decode(value) for name, value in manifest["parameters"].items()
    }
    expected = set(estimator_class().get_params(deep=False))
    parameters = {
        **{
            name: value
            for name, value in _PARAMETERS_ADDED_SINCE_VERSION_1.items()
            if name in expected
        },
        **parameters,
    }
    if set(parameters) != expected:
        raise _invalid(
            path, f"parameters other than those of {estimator_class.__name__}"
        )
    if device is not None and "device" in parameters:
        parameters["device"] = device
    estimator = estimator_class(**parameters)
    attributes = {
        name: decoder.decode(value)
        for name, value in manifest["attributes"].items()
        if name not in _SKLEARN_ATTRIBUTES
    }
    if isinstance(estimator, NeuralChromatinEstimator):
        if NETWORK not in contents:
            raise _invalid(path, "a neural estimator without its network")
        history = attributes.pop("history_", [])
        return restore_fitted(
            estimator,
            attributes,
            load_tensors(contents[NETWORK]),
            str(path),
            history=history,
        )
    check_own_parameters(estimator)
    for name, value in attributes.items():
        setattr(estimator, name, value)
    for name in set(manifest["attributes"]) & set(_SKLEARN_ATTRIBUTES):
        setattr(estimator, name, _load_sklearn_model(path, contents))
    return estimator


def _read_manifest(path, content):
    """The manifest as a dict, if it is one of this format and a version read here."""
    try:
        manifest = json.loads(content)
    except ValueError as error:
        raise ValueError(
            f"{path} is not a valid skattchrome model file: its manifest is not "
            f"JSON ({error})."
        ) from error
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise _invalid(path, f"another format than {FORMAT!r}")
    version = manifest.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise _invalid(path, f"an invalid format version, {version!r}")
    if version > FORMAT_VERSION:
        raise ValueError(
            f"{path} is a skattchrome model file of format version {version}, "
            f"written by skattchrome {manifest.get('skattchrome_version')}; this "
            f"release ({__version__}) reads versions up to {FORMAT_VERSION}. "
            "Upgrade skattchrome to open it."
        )
    for key, kind in (
        ("estimator", str),
        ("parameters", dict),
        ("attributes", dict),
        ("members", dict),
    ):
        if not isinstance(manifest.get(key), kind):
            raise _invalid(path, f"no {key} of type {kind.__name__}")
    return manifest


def _check_members(path, manifest, contents):
    """Refuse members that differ from the checksums of the manifest."""
    listed = manifest["members"]
    if set(listed) != set(contents):
        raise ValueError(
            f"{path} does not match its manifest: it lists the members "
            f"{sorted(listed)} but holds {sorted(contents)}; the file was changed "
            "after it was saved."
        )
    for name, content in contents.items():
        computed = hashlib.sha256(content).hexdigest()
        if computed != listed[name]:
            raise ValueError(
                f"{path} does not match its manifest: the SHA256 of {name} is "
                f"{computed}, not {listed[name]}; the file was changed after it "
                "was saved."
            )


def _load_sklearn_model(path, contents):
    """The scikit-learn model of a classical baseline, from its skops data."""
    import skops.io  # on demand: it adds most of a second to the import

    if SKLEARN_MODEL not in contents:
        raise _invalid(path, "a scikit-learn model without its data")
    data = contents[SKLEARN_MODEL]
    try:
        untrusted = skops.io.get_untrusted_types(data=data)
    except Exception as error:
        raise ValueError(
            f"{path} is not a valid skattchrome model file: its scikit-learn "
            f"model cannot be read ({type(error).__name__}: {error})."
        ) from error
    refused = sorted(set(untrusted) - set(_TRUSTED_SKOPS_TYPES))
    if refused:
        raise ValueError(
            f"{path} holds a scikit-learn model with types that a skattchrome "
            f"model does not have: {refused[:SHOWN_IN_ERRORS]}; it was not "
            "opened."
        )
    return skops.io.loads(data, trusted=untrusted)
