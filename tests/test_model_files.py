"""Model files: every estimator saved as data and loaded without running code."""

import gzip
import hashlib
import json
import os
import pickle
import subprocess
import sys
import zipfile

import joblib
import numpy as np
import pytest
import torch
from sklearn.exceptions import NotFittedError
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

import skattchrome
from skattchrome import (
    AttentionMaps,
    AttentiveChromeClassifier,
    AttentiveChromeRegressor,
    ChromeForestClassifier,
    ChromeForestRegressor,
    ChromeLogisticClassifier,
    ChromeRidgeRegressor,
    DeepChromeClassifier,
    DeepChromeRegressor,
    load_model,
    save_model,
)
from skattchrome._model_files import FORMAT_VERSION, MANIFEST
from skattchrome.datasets import make_chromatin_data

ESTIMATORS = [
    AttentiveChromeClassifier(
        bin_hidden_size=4, mark_hidden_size=3, max_epochs=2, validation_fraction=0.25
    ),
    AttentiveChromeRegressor(bin_hidden_size=4, mark_hidden_size=3, max_epochs=2),
    DeepChromeClassifier(n_filters=4, hidden_sizes=(8, 4), max_epochs=2),
    DeepChromeRegressor(n_filters=4, hidden_sizes=(8, 4), max_epochs=2),
    ChromeForestClassifier(n_estimators=5, n_jobs=1),
    ChromeForestRegressor(n_estimators=5, bin_aggregation="sum", n_windows=2),
    ChromeLogisticClassifier(n_windows=2, class_weight={"low": 2.0}),
    ChromeRidgeRegressor(alpha=0.5),
]


@pytest.fixture(scope="module")
def genes():
    return make_chromatin_data(
        n_genes=60, n_bins=10, random_state=0, return_expression=True
    )


def _fitted(estimator, genes):
    X, y, expression = genes
    if "Regressor" in type(estimator).__name__:
        target = expression
    else:
        target = np.where(y == 1, "high", "low")
    params = {"random_state": 0} if "random_state" in estimator.get_params() else {}
    return estimator.set_params(**params).fit(X, target)


def _outputs(estimator, X):
    if hasattr(estimator, "predict_proba"):
        return estimator.predict_proba(X)
    return estimator.predict(X)


def _assert_same_value(loaded, original, name):
    if isinstance(original, AttentionMaps):
        for level_loaded, level in zip(loaded, original, strict=True):
            _assert_same_value(level_loaded, level, name)
    elif isinstance(original, dict):
        assert list(loaded) == list(original), name
        for key in original:
            _assert_same_value(loaded[key], original[key], f"{name}[{key!r}]")
    elif isinstance(original, np.ndarray):
        assert loaded.dtype == original.dtype, name
        np.testing.assert_array_equal(loaded, original, err_msg=name)
    else:
        assert loaded == original, name


@pytest.fixture(scope="module")
def saved(genes, tmp_path_factory):
    folder = tmp_path_factory.mktemp("models")
    models = {}
    for estimator in ESTIMATORS:
        model = _fitted(estimator, genes)
        path = folder / f"{type(model).__name__}.skattchrome"
        save_model(model, path)
        models[type(model).__name__] = (model, path)
    return models


@pytest.mark.parametrize("name", [type(e).__name__ for e in ESTIMATORS])
def test_a_loaded_model_has_the_parameters_and_attributes_it_was_saved_with(
    saved, genes, name
):
    model, path = saved[name]
    loaded = load_model(path)
    assert type(loaded) is type(model)
    assert loaded.get_params() == model.get_params()
    fitted = sorted(k for k in vars(model) if k.endswith("_") and not k.startswith("_"))
    assert sorted(k for k in vars(loaded) if k.endswith("_")) == fitted
    for attribute in fitted:
        if attribute in ("net_", "forest_", "pipeline_"):
            continue
        if attribute == "history_":
            assert loaded.history_.to_list() == model.history_.to_list()
            continue
        _assert_same_value(
            getattr(loaded, attribute), getattr(model, attribute), attribute
        )
    X = genes[0]
    np.testing.assert_array_equal(_outputs(loaded, X), _outputs(model, X))
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))


@pytest.mark.slow
def test_every_model_predicts_bit_identically_in_a_fresh_process(
    saved, genes, tmp_path
):
    X = genes[0]
    np.save(tmp_path / "X.npy", X)
    paths = {name: str(path) for name, (_, path) in saved.items()}
    script = f"""
import json, sys
import numpy as np
from skattchrome import load_model
X = np.load({str(tmp_path / "X.npy")!r})
outputs = {{}}
for name, path in json.loads(sys.argv[1]).items():
    model = load_model(path)
    if hasattr(model, "predict_proba"):
        outputs[name] = model.predict_proba(X)
    else:
        outputs[name] = model.predict(X)
np.savez({str(tmp_path / "outputs.npz")!r}, **outputs)
"""
    subprocess.run(
        [sys.executable, "-c", script, json.dumps(paths)], check=True, timeout=300
    )
    outputs = np.load(tmp_path / "outputs.npz")
    assert sorted(outputs.files) == sorted(saved)
    for name, (model, _) in saved.items():
        np.testing.assert_array_equal(outputs[name], _outputs(model, X), err_msg=name)


def test_a_loaded_neural_model_explains_and_fine_tunes(saved, genes):
    X, y, _ = genes
    model, path = saved["AttentiveChromeClassifier"]
    loaded = load_model(path)
    np.testing.assert_array_equal(
        loaded.attention(X).bin_attention, model.attention(X).bin_attention
    )
    np.testing.assert_array_equal(loaded.saliency(X[:2]), model.saliency(X[:2]))
    before = loaded.decision_function(X)
    loaded.set_params(warm_start=True, lr=1e-9, max_epochs=1)
    loaded.fit(X, np.where(y == 1, "high", "low"))
    assert np.abs(loaded.decision_function(X) - before).max() < 1e-4


def test_load_model_puts_a_neural_model_on_the_device_asked(saved):
    _, path = saved["DeepChromeClassifier"]
    assert load_model(path, device="cpu").get_params()["device"] == "cpu"
    assert str(load_model(path, device="cpu").net_.device) == "cpu"
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match="CUDA is not available"):
            load_model(path, device="cuda")


class _Payload:
    """A pickle that, opened by an unrestricted unpickler, creates a file."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, "w"))


@pytest.mark.parametrize(
    ("write", "words"),
    [
        (lambda path, obj: path.write_bytes(pickle.dumps(obj)), "holds a pickle"),
        (lambda path, obj: joblib.dump(obj, path), "holds a pickle"),
        (lambda path, obj: joblib.dump(obj, path, compress=3), "compressed stream"),
        (
            lambda path, obj: path.write_bytes(gzip.compress(pickle.dumps(obj))),
            "compressed stream",
        ),
        (lambda path, obj: torch.save(obj, path), "pickle inside a ZIP archive"),
    ],
    ids=["pickle", "joblib", "joblib-compressed", "gzip", "torch"],
)
def test_a_file_that_holds_a_pickle_is_refused_unopened(tmp_path, write, words):
    marker = tmp_path / "code-ran"
    path = tmp_path / "model.skattchrome"
    write(path, _Payload(marker))
    with pytest.raises(ValueError, match=words) as raised:
        load_model(path)
    assert "unpickling runs whatever code the file holds" in str(raised.value)
    assert not marker.exists()


def test_other_files_are_refused(tmp_path):
    with pytest.raises(FileNotFoundError):
        load_model(tmp_path / "absent.skattchrome")
    text = tmp_path / "notes.txt"
    text.write_text("a model")
    with pytest.raises(ValueError, match="is not a skattchrome model file"):
        load_model(text)
    archive = tmp_path / "other.zip"
    with zipfile.ZipFile(archive, "w") as handle:
        handle.writestr("readme.txt", "hello")
    with pytest.raises(ValueError, match="ZIP archive without a skattchrome model"):
        load_model(archive)


def _rewrite(source, target, change_manifest=None, members=None, rehash=True):
    """Copy a model file, changing its manifest or members."""
    with zipfile.ZipFile(source) as archive:
        contents = {name: archive.read(name) for name in archive.namelist()}
    manifest = json.loads(contents.pop(MANIFEST))
    contents.update(members or {})
    if rehash:
        manifest["members"] = {
            name: hashlib.sha256(content).hexdigest()
            for name, content in contents.items()
        }
    if change_manifest is not None:
        change_manifest(manifest)
    with zipfile.ZipFile(target, "w") as archive:
        archive.writestr(MANIFEST, json.dumps(manifest))
        for name, content in contents.items():
            archive.writestr(name, content)
    return target


def test_a_file_of_a_newer_format_is_refused_by_name(saved, tmp_path):
    _, path = saved["ChromeRidgeRegressor"]

    def newer(manifest):
        manifest["format_version"] = FORMAT_VERSION + 1
        manifest["skattchrome_version"] = "99.0"

    newer_path = _rewrite(path, tmp_path / "newer.skattchrome", newer)
    with pytest.raises(
        ValueError,
        match=rf"format version {FORMAT_VERSION + 1}, written by skattchrome 99.0; "
        rf"this release \(.*\) reads versions up to {FORMAT_VERSION}",
    ):
        load_model(newer_path)


def test_a_changed_member_is_refused(saved, tmp_path):
    _, path = saved["AttentiveChromeClassifier"]
    with zipfile.ZipFile(path) as archive:
        network = bytearray(archive.read("network.safetensors"))
    network[-1] ^= 1
    changed = _rewrite(
        path,
        tmp_path / "changed.skattchrome",
        members={"network.safetensors": bytes(network)},
        rehash=False,
    )
    with pytest.raises(ValueError, match=r"SHA256 of network.safetensors is .*changed"):
        load_model(changed)
    extra = _rewrite(path, tmp_path / "extra.skattchrome", members={"code.py": b"1"})
    with pytest.raises(
        ValueError,
        match=r"members that a model file does not have: "
        r"\['code.py'\]",
    ):
        load_model(extra)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda m: m.update(estimator="Pipeline"), "an estimator that skattchrome"),
        (lambda m: m.update(format="pickle"), "another format"),
        (lambda m: m["parameters"].update(code="print(1)"), "parameters other"),
        (lambda m: m["parameters"].update(alpha=-1.0), "alpha must be a finite number"),
        (
            lambda m: m["attributes"].update(
                coef_={"__skattchrome__": "array", "name": "99"}
            ),
            "an entry it cannot read",
        ),
        (
            lambda m: m["attributes"].update(coef_={"__skattchrome__": "dict"}),
            r"its content cannot be read back \(KeyError",
        ),
        (
            lambda m: m["attributes"].update(_validated=1.0),
            "attributes that are not fitted ones",
        ),
        (
            lambda m: m["attributes"].update(
                classes_={"__skattchrome__": "strings", "dtype": "<f8", "items": []}
            ),
            "an array of strings of dtype float64",
        ),
    ],
)
def test_a_manifest_that_names_what_the_package_lacks_is_refused(
    saved, tmp_path, change, message
):
    _, path = saved["ChromeRidgeRegressor"]
    edited = _rewrite(path, tmp_path / "edited.skattchrome", change)
    with pytest.raises(ValueError, match=message):
        load_model(edited)


def test_a_scikit_learn_part_with_foreign_types_is_refused(saved, tmp_path):
    import skops.io

    _, path = saved["ChromeRidgeRegressor"]
    foreign = skops.io.dumps(FunctionTransformer(os.getcwd))
    assert skops.io.get_untrusted_types(data=foreign) == ["posix.getcwd"]
    edited = _rewrite(
        path, tmp_path / "foreign.skattchrome", members={"estimator.skops": foreign}
    )
    with pytest.raises(ValueError, match=r"does not have: \['posix.getcwd'\]"):
        load_model(edited)


def test_a_network_of_another_shape_is_refused(saved, tmp_path):
    _, path = saved["AttentiveChromeClassifier"]

    def wider(manifest):
        manifest["parameters"]["bin_hidden_size"] = 5

    with pytest.raises(ValueError, match="tensors of another shape: bin_attention"):
        load_model(_rewrite(path, tmp_path / "wider.skattchrome", wider))


def test_save_model_refuses_what_it_cannot_store_and_leaves_no_file(genes, tmp_path):
    X, y, _ = genes
    path = tmp_path / "model.skattchrome"
    with pytest.raises(NotFittedError):
        save_model(ChromeRidgeRegressor(), path)
    pipeline = make_pipeline(FunctionTransformer(np.log1p), ChromeLogisticClassifier())
    with pytest.raises(TypeError, match="For a Pipeline, save its fitted last step"):
        save_model(pipeline.fit(X, y), path)
    seeded = ChromeForestClassifier(
        n_estimators=2, random_state=np.random.RandomState(0)
    ).fit(X, y)
    with pytest.raises(TypeError, match="parameter random_state is a RandomState"):
        save_model(seeded, path)
    assert list(tmp_path.iterdir()) == []


def test_save_model_replaces_a_file_only_when_complete(
    saved, genes, tmp_path, monkeypatch
):
    model, original = saved["ChromeLogisticClassifier"]
    path = tmp_path / "model.skattchrome"
    path.write_bytes(original.read_bytes())

    def fail(*args, **kwargs):
        raise OSError("No space left on device")

    monkeypatch.setattr(zipfile.ZipFile, "writestr", fail)
    with pytest.raises(OSError, match="No space left"):
        save_model(model, path)
    assert path.read_bytes() == original.read_bytes()
    assert list(tmp_path.iterdir()) == [path]


def test_pickle_still_round_trips(saved, genes):
    model, _ = saved["DeepChromeRegressor"]
    copy = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(copy.predict(genes[0]), model.predict(genes[0]))


def test_the_functions_are_in_the_package_namespace():
    assert skattchrome.save_model is save_model
    assert {"save_model", "load_model"} <= set(skattchrome.__all__)


def _damaged(content):
    """A model file's content cut short or changed, as a copy may leave it."""
    changed = bytearray(content)
    changed[len(content) // 3] ^= 0xFF
    zeroed = bytearray(content)
    zeroed[40:240] = bytes(200)
    return {
        "empty": (b"", "is empty"),
        "first-half": (content[: len(content) // 2], "is a damaged skattchrome"),
        "last-bytes-cut": (content[:-30], "is a damaged skattchrome"),
        "changed-byte": (bytes(changed), "is a damaged skattchrome"),
        "zeroed-bytes": (bytes(zeroed), "is a damaged skattchrome"),
    }


@pytest.mark.parametrize(
    "name", ["ChromeForestClassifier", "AttentiveChromeClassifier"]
)
def test_a_damaged_model_file_is_refused_by_name(saved, tmp_path, name):
    _, original = saved[name]
    for damage, (content, words) in _damaged(original.read_bytes()).items():
        path = tmp_path / f"{damage}.skattchrome"
        path.write_bytes(content)
        with pytest.raises(ValueError, match=words) as raised:
            load_model(path)
        assert str(path) in str(raised.value), damage


def test_save_model_writes_with_the_umask(saved, tmp_path, umask):
    model, _ = saved["ChromeLogisticClassifier"]
    path = tmp_path / "model.skattchrome"
    save_model(model, path)
    assert os.stat(path).st_mode & 0o777 == 0o666 & ~umask


@pytest.mark.parametrize(
    ("target", "error"),
    [("folder", IsADirectoryError), ("missing/model.skattchrome", FileNotFoundError)],
)
def test_save_model_errors_name_the_path(saved, tmp_path, target, error):
    model, _ = saved["ChromeLogisticClassifier"]
    (tmp_path / "folder").mkdir()
    with pytest.raises(error) as raised:
        save_model(model, tmp_path / target)
    assert raised.value.filename == str(tmp_path / target)
    assert [path.name for path in tmp_path.iterdir()] == ["folder"]


def test_an_empty_path_or_one_that_is_not_a_path_is_refused_by_name():
    # Path("") is the current folder: save_model gave "[Errno 16] Device or
    # resource busy: '.'", and load_model ". is not a file".
    model = ChromeLogisticClassifier().fit(np.ones((4, 2, 1)), [0, 1, 0, 1])
    with pytest.raises(ValueError, match=r"^path is empty"):
        save_model(model, "")
    with pytest.raises(ValueError, match=r"^path is empty"):
        load_model(" ")
    # None or a number was pathlib's "expected str, bytes or os.PathLike object".
    with pytest.raises(TypeError, match=r"^path must be the path of a model file"):
        save_model(model, 3)
    with pytest.raises(TypeError, match=r"^path must be the path of a model file"):
        load_model(None)


def test_a_linear_path_is_saved_and_a_file_from_before_it_loads(saved, genes, tmp_path):
    X = genes[0]
    model = AttentiveChromeClassifier(
        bin_hidden_size=4, mark_hidden_size=3, max_epochs=2, linear_path=True
    )
    model = _fitted(model, genes)
    path = tmp_path / "linear.skattchrome"
    save_model(model, path)
    loaded = load_model(path)
    assert loaded.linear_path
    np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))
    torch.testing.assert_close(
        loaded.net_.module_.summed_signal_scale, model.net_.module_.summed_signal_scale
    )

    original = _fitted(
        AttentiveChromeClassifier(
            bin_hidden_size=4, mark_hidden_size=3, max_epochs=2, linear_path=False
        ),
        genes,
    )
    path = tmp_path / "published_network.skattchrome"
    save_model(original, path)

    def from_before(manifest):
        del manifest["parameters"]["linear_path"]

    older = load_model(_rewrite(path, tmp_path / "older.skattchrome", from_before))
    assert older.linear_path is False
    np.testing.assert_array_equal(older.predict_proba(X), original.predict_proba(X))
