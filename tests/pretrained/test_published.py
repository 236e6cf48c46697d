"""The published AttentiveChrome models: layout, equivalence, download, safety."""

import hashlib
import os
import pickle

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.exceptions import NotFittedError

from skattchrome import AttentiveChromeClassifier, load_model, save_model
from skattchrome.datasets import REFERENCE_MARKS, load_remc
from skattchrome.interpret import saliency
from skattchrome.pretrained import (
    CACHE_FOLDER,
    URL_VARIABLE,
    _published,
    fetch_published,
    from_published_weights,
    published_cell_types,
)

N_MARKS, BIN_HIDDEN, MARK_HIDDEN = 5, 32, 16
FILE_NAME = "E003_attchrome_avgAUC_model.pt"


def _lstm(prefix, n_inputs, hidden, rng):
    tensors = {}
    for direction in ("", "_reverse"):
        for name, shape in (
            ("weight_ih", (4 * hidden, n_inputs)),
            ("weight_hh", (4 * hidden, hidden)),
            ("bias_ih", (4 * hidden,)),
            ("bias_hh", (4 * hidden,)),
        ):
            tensors[f"{prefix}.{name}_l0{direction}"] = rng.normal(0, 0.3, shape)
    return tensors


def published_state(seed):
    """Random weights under the names and shapes of the published files."""
    rng = np.random.default_rng(seed)
    state = {}
    for mark in range(N_MARKS):
        state.update(_lstm(f"rnn_hms.{mark}.rnn", 1, BIN_HIDDEN, rng))
        state[f"rnn_hms.{mark}.bin_attention.bin_context_vector"] = rng.uniform(
            -1, 1, (2 * BIN_HIDDEN, 1)
        )
    state.update(_lstm("hm_level_rnn_1.rnn", 2 * BIN_HIDDEN, MARK_HIDDEN, rng))
    state["hm_level_rnn_1.bin_attention.bin_context_vector"] = rng.uniform(
        -1, 1, (2 * MARK_HIDDEN, 1)
    )
    state["fdiff1_1.weight"] = rng.normal(0, 3.0, (1, 2 * MARK_HIDDEN))
    state["fdiff1_1.bias"] = rng.normal(0, 0.5, (1,))
    return {
        name: torch.tensor(value, dtype=torch.float32) for name, value in state.items()
    }


def _sigmoid(values):
    return 1 / (1 + np.exp(-values))


def _softmax(scores):
    weights = np.exp(scores - scores.max(axis=1, keepdims=True))
    return weights / weights.sum(axis=1, keepdims=True)


def _lstm_direction(sequence, weights, prefix, suffix):
    """One direction of a PyTorch LSTM, written out: sequence is time-major."""
    W_ih = weights[f"{prefix}.weight_ih_l0{suffix}"]
    W_hh = weights[f"{prefix}.weight_hh_l0{suffix}"]
    bias = (
        weights[f"{prefix}.bias_ih_l0{suffix}"]
        + weights[f"{prefix}.bias_hh_l0{suffix}"]
    )
    hidden = W_hh.shape[1]
    n_steps, batch, _ = sequence.shape
    h = np.zeros((batch, hidden))
    c = np.zeros((batch, hidden))
    states = np.empty((n_steps, batch, hidden))
    steps = range(n_steps - 1, -1, -1) if suffix else range(n_steps)
    for step in steps:
        gates = sequence[step] @ W_ih.T + h @ W_hh.T + bias
        i, f, g, o = np.split(gates, 4, axis=1)
        c = _sigmoid(f) * c + _sigmoid(i) * np.tanh(g)
        h = _sigmoid(o) * np.tanh(c)
        states[step] = h
    return states


def _bidirectional(sequence, weights, prefix):
    return np.concatenate(
        [
            _lstm_direction(sequence, weights, prefix, suffix)
            for suffix in ("", "_reverse")
        ],
        axis=2,
    )


def _attend(states, context):
    """Context-vector attention over a time-major (length, batch, features)."""
    batch_first = states.transpose(1, 0, 2)
    weights = _softmax(batch_first @ context[:, 0])
    return np.einsum("bt,btf->bf", weights, batch_first), weights


def published_forward(state, X):
    """The published network's forward pass (kipoi AttentiveChrome, models.py).

    Each mark's bins, time-major, through its bidirectional LSTM; attention
    weights are the softmax over bins of (state . context vector) and the mark's
    embedding their weighted sum of states; the 5 embeddings through the
    mark-level LSTM and the same attention over marks; a linear layer and a
    sigmoid. In float64, without torch's LSTM.
    """
    weights = {name: tensor.double().numpy() for name, tensor in state.items()}
    X = np.asarray(X, dtype=np.float64)
    embeddings, bin_attention = [], []
    for mark in range(N_MARKS):
        sequence = X[:, :, mark].T[:, :, None]
        states = _bidirectional(sequence, weights, f"rnn_hms.{mark}.rnn")
        embedding, alpha = _attend(
            states, weights[f"rnn_hms.{mark}.bin_attention.bin_context_vector"]
        )
        embeddings.append(embedding)
        bin_attention.append(alpha)
    mark_sequence = np.stack(embeddings)
    mark_states = _bidirectional(mark_sequence, weights, "hm_level_rnn_1.rnn")
    gene, beta = _attend(
        mark_states, weights["hm_level_rnn_1.bin_attention.bin_context_vector"]
    )
    logit = gene @ weights["fdiff1_1.weight"][0] + weights["fdiff1_1.bias"][0]
    return _sigmoid(logit), np.stack(bin_attention, axis=2), beta


@pytest.fixture
def weights_file(tmp_path):
    path = tmp_path / FILE_NAME
    state = published_state(0)
    torch.save(state, path)
    return path, state


@pytest.fixture
def counts():
    """Read counts like those of the archive: integers, mostly small."""
    rng = np.random.default_rng(1)
    return rng.poisson(rng.gamma(0.6, 4.0, (12, 100, 5))).astype(np.float32)


def test_the_table_is_kipois(test_data):
    table = pd.read_csv(
        test_data / "published_models" / "attentivechrome_kipoi.tsv", sep="\t"
    )
    ours = published_cell_types()
    assert ours.cell_type.tolist() == sorted(table.cell_type)
    merged = ours.merge(table, on="cell_type", suffixes=("", "_kipoi"))
    assert (merged.md5 == merged.md5_kipoi).all()
    assert (merged.url == merged.url_kipoi).all()


@pytest.mark.parametrize("legacy_format", [False, True])
def test_converted_network_computes_what_the_published_one_does(
    tmp_path, counts, legacy_format
):
    state = published_state(3)
    path = tmp_path / "weights.pt"
    torch.save(state, path, _use_new_zipfile_serialization=not legacy_format)
    model = from_published_weights(path)
    probability, bin_attention, mark_attention = published_forward(state, counts)

    np.testing.assert_allclose(
        model.predict_proba(counts)[:, 1], probability, atol=1e-5
    )
    maps = model.attention(counts)
    np.testing.assert_allclose(maps.bin_attention, bin_attention, atol=1e-6)
    np.testing.assert_allclose(maps.mark_attention, mark_attention, atol=1e-6)
    # The comparison can fail: the attention is far from uniform, and the
    # probabilities spread.
    assert bin_attention.max() > 3 / 100
    assert probability.std() > 0.01


def test_a_published_model_is_a_fitted_classifier(weights_file, counts):
    path, _ = weights_file
    model = from_published_weights(path)
    assert isinstance(model, AttentiveChromeClassifier)
    published_network = AttentiveChromeClassifier(linear_path=False)
    assert model.get_params() == published_network.get_params()
    assert (model.n_bins_, model.n_marks_) == (100, 5)
    assert list(model.mark_names_) == list(REFERENCE_MARKS)
    assert model.classes_.tolist() == [0, 1]
    assert (model.n_epochs_, model.best_epoch_, model.attention_) == (0, None, {})
    assert len(model.history_) == 0
    labels = (model.predict_proba(counts)[:, 1] > 0.5).astype(int)
    np.testing.assert_array_equal(model.predict(counts), labels)
    assert model.saliency(counts[:2]).shape == (2, 100, 5)
    assert saliency(model, counts[:2]).shape == (2, 100, 5)
    if len(np.unique(labels)) == 2:
        assert model.score(counts, labels) == 1.0
    with pytest.raises(ValueError, match="X has 50 bins and 5 marks"):
        model.predict(counts[:, :50])


def test_a_published_model_fine_tunes_with_warm_start(weights_file, counts):
    path, _ = weights_file
    model = from_published_weights(path)
    before = model.decision_function(counts)
    y = np.arange(len(counts)) % 2
    model.set_params(warm_start=True, lr=1e-9, max_epochs=1, device="cpu")
    model.fit(counts, y)
    assert np.abs(model.decision_function(counts) - before).max() < 1e-4
    model.set_params(warm_start=False)
    with pytest.raises(NotFittedError):
        AttentiveChromeClassifier().decision_function(counts)


def test_another_layout_names_missing_unexpected_and_misshaped_tensors(tmp_path):
    state = published_state(0)
    state.pop("fdiff1_1.bias")
    state["rnn_hms.5.rnn.weight_ih_l0"] = torch.zeros(128, 1)
    state["hm_level_rnn_1.bin_attention.bin_context_vector"] = torch.zeros(64, 1)
    path = tmp_path / "other.pt"
    torch.save(state, path)
    with pytest.raises(ValueError) as raised:
        from_published_weights(path)
    message = str(raised.value)
    assert "does not hold the published AttentiveChrome network" in message
    assert "missing: fdiff1_1.bias" in message
    assert "unexpected: rnn_hms.5.rnn.weight_ih_l0" in message
    assert (
        "of another shape: hm_level_rnn_1.bin_attention.bin_context_vector "
        "(64, 1) (expected (32, 1))"
    ) in message


class _Payload:
    """A pickle that, opened by an unrestricted unpickler, creates a file."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, "w"))


@pytest.mark.parametrize("writer", ["torch", "pickle"])
def test_a_file_that_would_run_code_is_refused_unopened(tmp_path, writer):
    marker = tmp_path / "code-ran"
    path = tmp_path / "weights.pt"
    if writer == "torch":
        torch.save({"fdiff1_1.weight": _Payload(marker)}, path)
    else:
        path.write_bytes(pickle.dumps(_Payload(marker)))
    with pytest.raises(
        ValueError, match="cannot be read as PyTorch weights without running code"
    ):
        from_published_weights(path)
    assert not marker.exists()


def test_a_file_that_is_not_a_state_dict_is_refused(tmp_path):
    path = tmp_path / "weights.pt"
    torch.save([torch.zeros(2)], path)
    with pytest.raises(ValueError, match="does not hold a state_dict"):
        from_published_weights(path)
    path.write_bytes(b"not a torch file")
    with pytest.raises(ValueError, match="cannot be read as PyTorch weights"):
        from_published_weights(path)
    with pytest.raises(FileNotFoundError, match="is not a file"):
        from_published_weights(tmp_path / "absent.pt")


@pytest.fixture
def mirror(tmp_path, weights_file, monkeypatch):
    """A file:// mirror of E003 whose published MD5 is that of the test weights."""
    path, _ = weights_file
    monkeypatch.setitem(
        _published._MD5, "E003", hashlib.md5(path.read_bytes()).hexdigest()
    )
    monkeypatch.setenv(URL_VARIABLE, path.parent.as_uri())
    return path


def test_fetch_published_through_a_file_mirror(mirror, tmp_path, counts):
    home = tmp_path / "home"
    model = fetch_published("E003", data_home=home)
    cached = home / CACHE_FOLDER / FILE_NAME
    assert cached.read_bytes() == mirror.read_bytes()
    expected = from_published_weights(mirror).predict_proba(counts)
    np.testing.assert_array_equal(model.predict_proba(counts), expected)
    mirror.unlink()
    again = fetch_published("E003", data_home=home, download_if_missing=False)
    np.testing.assert_array_equal(again.predict_proba(counts), expected)


def test_fetch_published_through_an_http_mirror(
    weights_file, http_server, tmp_path, monkeypatch
):
    path, _ = weights_file
    http_server.payload = path.read_bytes()
    monkeypatch.setitem(
        _published._MD5, "E003", hashlib.md5(http_server.payload).hexdigest()
    )
    monkeypatch.setenv(URL_VARIABLE, http_server.url.rsplit("/", 1)[0] + "/")
    model = fetch_published("E003", data_home=tmp_path)
    assert model.n_marks_ == 5
    assert http_server.requests == 1


def test_a_wrong_checksum_names_it_and_leaves_nothing(
    weights_file, tmp_path, monkeypatch
):
    path, _ = weights_file
    monkeypatch.setenv(URL_VARIABLE, path.parent.as_uri())
    home = tmp_path / "home"
    computed = hashlib.md5(path.read_bytes()).hexdigest()
    with pytest.raises(
        OSError, match=rf"MD5 checksum .*{computed}.*{_published._MD5['E003']}"
    ):
        fetch_published("E003", data_home=home)
    assert list(home.iterdir()) == []


def test_a_cached_file_that_changed_is_refused(mirror, tmp_path):
    home = tmp_path / "home"
    fetch_published("E003", data_home=home)
    cached = home / CACHE_FOLDER / FILE_NAME
    cached.write_bytes(cached.read_bytes() + b"tampered")
    with pytest.raises(OSError, match="the file changed since it was downloaded"):
        fetch_published("E003", data_home=home)


def test_a_missing_file_on_an_http_mirror_fails_at_once(
    http_server, tmp_path, monkeypatch
):
    http_server.status = 404
    monkeypatch.setenv(URL_VARIABLE, http_server.url.rsplit("/", 1)[0])
    with pytest.raises(OSError, match="HTTP 404"):
        fetch_published("E005", data_home=tmp_path)
    assert http_server.requests == 1
    assert not (tmp_path / CACHE_FOLDER).exists()


@pytest.mark.parametrize("cell_type", ["E059", "E999", 3, None])
def test_a_cell_type_without_a_published_model_is_refused(cell_type, tmp_path):
    with pytest.raises(ValueError, match="has no published AttentiveChrome model"):
        fetch_published(cell_type, data_home=tmp_path)
    assert not (tmp_path / CACHE_FOLDER).exists()


def test_published_models_read_the_archive_layout(weights_file, test_data):
    path, state = weights_file
    genes = load_remc(test_data / "remc" / "E003", "test")
    model = from_published_weights(path)
    probability, _, _ = published_forward(state, genes.data)
    np.testing.assert_allclose(
        model.predict_proba(genes.data)[:, 1], probability, atol=1e-5
    )
    assert os.fspath(path).endswith(FILE_NAME)


def test_a_published_model_saves_and_loads_as_data(weights_file, counts, tmp_path):
    path, _ = weights_file
    model = from_published_weights(path)
    saved = tmp_path / "published.skattchrome"
    save_model(model, saved)
    loaded = load_model(saved)
    np.testing.assert_array_equal(
        loaded.predict_proba(counts), model.predict_proba(counts)
    )
    assert (loaded.n_epochs_, loaded.batch_size_, loaded.attention_) == (0, None, {})


def test_download_if_missing_must_be_a_bool(tmp_path):
    # "no" is true to Python: the weights would be downloaded.
    with pytest.raises(ValueError, match=r"^download_if_missing must be True or False"):
        fetch_published("E003", data_home=tmp_path, download_if_missing="no")
