"""``skattchrome predict`` and ``explain`` with ``--cells``: many cell types."""

import hashlib
import json
import socket

import numpy as np
import pandas as pd
import pytest
import torch

from skattchrome import AttentiveChromeClassifier, load_model, save_model
from skattchrome._cli import main
from skattchrome._cli._genome_wide import is_complete
from skattchrome.datasets import load_remc, make_chromatin_data
from skattchrome.pretrained import URL_VARIABLE, _published, from_published_weights

CELLS = ("E001", "E002", "E003")
SPLITS = ("train", "valid", "test")
GENES_PER_SPLIT = 4


def write_cell(folder, n_bins, seed):
    """Write simulated genes of one cell type in the published CSV layout."""
    for number, split in enumerate(SPLITS):
        X, y = make_chromatin_data(
            n_genes=GENES_PER_SPLIT, n_bins=n_bins, random_state=seed + number
        )
        rows = [
            ",".join(
                [f"{seed:03d}{number}{gene:02d}", str(position + 1)]
                + [str(int(count)) for count in X[gene, position]]
                + [str(y[gene])]
            )
            for gene in range(len(X))
            for position in range(n_bins)
        ]
        path = folder / "classification" / f"{split}.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(rows) + "\n")


@pytest.fixture(scope="module")
def cells(tmp_path_factory):
    """Three cell types of 4 genes per split, 10 bins each."""
    root = tmp_path_factory.mktemp("cells")
    for number, cell in enumerate(CELLS):
        write_cell(root / cell, n_bins=10, seed=10 * number)
    return root


@pytest.fixture(scope="module")
def model_file(tmp_path_factory):
    """A tiny AttentiveChrome of 10 bins, trained one epoch, saved."""
    X, y = make_chromatin_data(n_genes=40, n_bins=10, random_state=0)
    model = AttentiveChromeClassifier(
        max_epochs=1, validation_fraction=None, random_state=0
    ).fit(X, y)
    path = tmp_path_factory.mktemp("model") / "model.skattchrome"
    save_model(model, path)
    return path


def all_genes(cell_folder):
    """The genes of the three splits of a cell type, in order, and their splits."""
    splits = [load_remc(cell_folder, split) for split in SPLITS]
    X = np.concatenate([split.data for split in splits])
    gene_ids = np.concatenate([split.gene_ids for split in splits])
    names = np.repeat(SPLITS, [len(split.data) for split in splits])
    return X, gene_ids, names, np.concatenate([split.target for split in splits])


def test_predict_writes_one_table_per_cell_type(cells, model_file, tmp_path, capsys):
    out = tmp_path / "predictions"
    argv = ["predict", str(model_file), str(cells), "--cells", "all", "--out"]
    assert main([*argv, str(out), "--quiet"]) == 0
    assert sorted(path.name for path in out.iterdir()) == [
        *(f"{cell}.csv" for cell in CELLS),
        "skattchrome-predict.json",
    ]
    assert capsys.readouterr().out.count("ROC AUC") == len(CELLS)
    model = load_model(model_file)
    for cell in CELLS:
        X, gene_ids, names, labels = all_genes(cells / cell)
        table = pd.read_csv(out / f"{cell}.csv", dtype={"gene_id": str})
        assert list(table.columns) == [
            "gene_id",
            "split",
            "probability",
            "predicted_label",
            "label",
        ]
        np.testing.assert_array_equal(table["gene_id"], gene_ids)
        np.testing.assert_array_equal(table["split"], names)
        np.testing.assert_array_equal(table["label"], labels)
        np.testing.assert_allclose(
            table["probability"], model.predict_proba(X)[:, 1], rtol=1e-6
        )


@pytest.mark.filterwarnings("ignore::skattchrome.UniformAttentionWarning")
def test_explain_writes_the_maps_of_each_cell_type(cells, model_file, tmp_path):
    out = tmp_path / "maps"
    argv = ["explain", str(model_file), str(cells), "--cells", "E001,E003"]
    assert main([*argv, "--subset", "test", "--out", str(out), "--quiet"]) == 0
    assert sorted(path.name for path in out.iterdir()) == [
        "E001.npz",
        "E003.npz",
        "skattchrome-explain.json",
    ]
    model = load_model(model_file)
    test = load_remc(cells / "E003", "test")
    with np.load(out / "E003.npz") as maps:
        expected = model.attention(test.data)
        np.testing.assert_allclose(maps["bin_attention"], expected.bin_attention)
        np.testing.assert_allclose(maps["mark_attention"], expected.mark_attention)
        np.testing.assert_array_equal(maps["gene_ids"], test.gene_ids.astype(str))
        assert set(maps["splits"]) == {"test"}
        assert maps["mark_names"].tolist() == test.mark_names
        np.testing.assert_array_equal(maps["bin_offsets"], test.bin_offsets)


def test_a_second_run_redoes_only_missing_and_incomplete_files(
    cells, model_file, tmp_path, capsys
):
    out = tmp_path / "predictions"
    argv = ["predict", str(model_file), str(cells), "--cells", "all", "--quiet"]
    assert main([*argv, "--out", str(out)]) == 0
    complete = {cell: (out / f"{cell}.csv").read_bytes() for cell in CELLS}
    capsys.readouterr()
    (out / "E002.csv").write_bytes(complete["E002"][: len(complete["E002"]) // 2])
    (out / "E003.csv").unlink()
    (out / ".E003.csv.0123456789abcdef.part").write_bytes(complete["E003"][:10])
    kept = (out / "E001.csv").stat().st_mtime_ns
    assert main([*argv, "--out", str(out)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].endswith(f"(1 written earlier) on 1 job(s), one file each in {out}")
    assert lines[1] == f"E001: {out / 'E001.csv'} written earlier"
    assert (out / "E001.csv").stat().st_mtime_ns == kept
    for cell in CELLS:
        assert (out / f"{cell}.csv").read_bytes() == complete[cell]


def test_a_run_of_another_model_or_splits_into_the_same_folder_is_refused(
    cells, model_file, tmp_path, capsys
):
    out = tmp_path / "predictions"
    argv = ["predict", str(model_file), str(cells), "--cells", "E001", "--quiet"]
    assert main([*argv, "--out", str(out)]) == 0
    record = json.loads((out / "skattchrome-predict.json").read_text())
    digest = hashlib.sha256(model_file.read_bytes()).hexdigest()
    assert record == {
        "model": {"sha256": digest},
        "data": str(cells.resolve()),
        "splits": list(SPLITS),
    }
    written = (out / "E001.csv").read_bytes()
    # The same model from another path resumes.
    copy = tmp_path / "copy.skattchrome"
    copy.write_bytes(model_file.read_bytes())
    capsys.readouterr()
    assert main(["predict", str(copy), *argv[2:], "--out", str(out)]) == 0
    assert f"E001: {out / 'E001.csv'} written earlier" in capsys.readouterr().out
    X, y = make_chromatin_data(n_genes=40, n_bins=10, random_state=1)
    other = tmp_path / "other.skattchrome"
    save_model(AttentiveChromeClassifier(max_epochs=1, random_state=1).fit(X, y), other)
    for changed, message in (
        (["predict", str(other), *argv[2:]], "of a run with different model ("),
        ([*argv, "--subset", "test"], "of a run with different splits ("),
    ):
        with pytest.raises(SystemExit) as exited:
            main([*changed, "--out", str(out)])
        assert exited.value.code == 2
        last = capsys.readouterr().err.strip().splitlines()[-1]
        assert message in last
        assert "choose another --out" in last
        assert (out / "E001.csv").read_bytes() == written
    assert json.loads((out / "skattchrome-predict.json").read_text()) == record


def test_a_cut_file_is_incomplete(cells, model_file, tmp_path):
    out = tmp_path / "maps"
    argv = ["explain", str(model_file), str(cells), "--cells", "E001", "--quiet"]
    assert main([*argv, "--out", str(out)]) == 0
    maps = out / "E001.npz"
    assert is_complete(maps, "explain")
    maps.write_bytes(maps.read_bytes()[:-100])
    assert not is_complete(maps, "explain")
    table = tmp_path / "E001.csv"
    table.write_text("gene_id,split,probability,predicted_label,label\n1,test,0.2")
    assert not is_complete(table, "predict")
    assert not is_complete(tmp_path / "missing.csv", "predict")


@pytest.mark.slow
def test_two_jobs_write_what_one_job_writes(cells, model_file, tmp_path):
    for jobs in ("1", "2"):
        argv = ["predict", str(model_file), str(cells), "--cells", "all", "--quiet"]
        assert main([*argv, "--out", str(tmp_path / jobs), "--n-jobs", jobs]) == 0
    for cell in CELLS:
        one = pd.read_csv(tmp_path / "1" / f"{cell}.csv")
        two = pd.read_csv(tmp_path / "2" / f"{cell}.csv")
        pd.testing.assert_frame_equal(one, two, rtol=1e-6)


def test_a_cell_type_that_fails_is_one_error_line(cells, model_file, tmp_path, capsys):
    broken = tmp_path / "broken"
    write_cell(broken / "E001", n_bins=10, seed=0)
    write_cell(broken / "E002", n_bins=10, seed=1)
    (broken / "E002" / "classification" / "valid.csv").write_text("1,2,3\n")
    out = tmp_path / "out"
    argv = ["predict", str(model_file), str(broken), "--cells", "all", "--quiet"]
    assert main([*argv, "--out", str(out)]) == 1
    captured = capsys.readouterr()
    assert "E002: FAILED" in captured.out
    [line] = captured.err.strip().splitlines()
    assert line.startswith("skattchrome predict: error: E002: ")
    assert "valid.csv" in line
    assert sorted(path.name for path in out.iterdir()) == [
        "E001.csv",
        "skattchrome-predict.json",
    ]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["{model}", "{tmp}/nowhere", "--cells", "all"], "DATA: no such file"),
        (["{model}", "{cells}", "--cells", "E001,E009"], "--cells: E009 not in"),
        (["{model}", "{cells}/E001", "--cells", "all"], "DATA: {cells}/E001 holds"),
        (["{model}", "{model}", "--cells", "all"], "is a file"),
        (["{model}", "{cells}", "--n-jobs", "2"], "--n-jobs goes with --cells"),
        (["{model}", "{cells}", "--subset", "all"], "--subset all goes with --cells"),
        (["--published", "{{cell}}", "{cells}"], "--published {{cell}} goes with"),
        (["--published", "{{cell}}", "{cells}", "--cells", "E001"], "E001 has no"),
        (["{model}", "{cells}", "--cells", "all", "--out", "{model}"], "cannot write"),
    ],
)
def test_unusable_arguments_are_one_usage_error(
    cells, model_file, tmp_path, capsys, arguments, message
):
    names = {"model": model_file, "cells": cells, "tmp": tmp_path}
    argv = ["predict", *(argument.format(**names) for argument in arguments)]
    with pytest.raises(SystemExit) as exited:
        main(argv)
    assert exited.value.code == 2
    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert last.startswith("skattchrome predict: error: ")
    assert message.format(**names) in last
    assert not (tmp_path / "predictions").exists()


def test_each_cell_type_gets_its_own_published_model(tmp_path, monkeypatch):
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    root = tmp_path / "cells"
    published = {}
    for seed, cell in enumerate(("E003", "E004")):
        generator = torch.Generator().manual_seed(seed)
        state = {
            name: 0.3 * torch.randn(shape, generator=generator)
            for name, shape in _published._published_layout().items()
        }
        weights = mirror / f"{cell}_attchrome_avgAUC_model.pt"
        torch.save(state, weights)
        digest = hashlib.md5(weights.read_bytes()).hexdigest()
        monkeypatch.setitem(_published._MD5, cell, digest)
        published[cell] = from_published_weights(weights)
        write_cell(root / cell, n_bins=100, seed=seed)
    monkeypatch.setenv(URL_VARIABLE, mirror.as_uri())
    monkeypatch.setenv("SCIKIT_LEARN_DATA", str(tmp_path / "home"))
    out = tmp_path / "predictions"
    argv = ["predict", "--published", "{cell}", str(root), "--cells", "all"]
    assert main([*argv, "--out", str(out), "--quiet"]) == 0
    for cell, model in published.items():
        X = all_genes(root / cell)[0]
        np.testing.assert_allclose(
            pd.read_csv(out / f"{cell}.csv")["probability"],
            model.predict_proba(X)[:, 1],
            rtol=1e-6,
        )


def test_an_unreachable_scheduler_is_one_error_line(
    cells, model_file, tmp_path, capsys
):
    # The runner's OSError escaped the loop over the cell types as a traceback.
    pytest.importorskip("distributed")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        address = f"tcp://127.0.0.1:{probe.getsockname()[1]}"
    arguments = ["predict", str(model_file), str(cells), "--cells", "E001"]
    out = tmp_path / "predictions"
    assert main([*arguments, "--scheduler", address, "--quiet", "--out", str(out)]) == 1
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("skattchrome predict: error: argument --scheduler: ")
    assert f"No Dask scheduler answered at {address}" in lines[0]
