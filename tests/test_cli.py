"""The command line: benchmark, fit, predict and explain, end to end."""

import hashlib
import json
import re
import socket
import stat
import subprocess
import sys
import tarfile
import time

import joblib
import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.metrics import roc_auc_score

import skattchrome._study as study
from skattchrome import load_model
from skattchrome._cli import _model_commands, main
from skattchrome._devices import resolve_device
from skattchrome._registry import MODELS, build_model
from skattchrome._study import _figures, _runner
from skattchrome.datasets import load_remc, make_chromatin_data
from skattchrome.pretrained import URL_VARIABLE, _published, from_published_weights

TINY = ["--genes", "60", "--bins", "10", "--max-epochs", "1", "--quiet"]


def write_remc_csv(path, n_genes, seed):
    """Write simulated genes as one split in the published CSV layout."""
    X, y = make_chromatin_data(n_genes=n_genes, n_bins=10, random_state=seed)
    rows = [
        ",".join(
            [f"{gene:06d}", str(position + 1)]
            + [str(int(count)) for count in X[gene, position]]
            + [str(y[gene])]
        )
        for gene in range(n_genes)
        for position in range(X.shape[1])
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(rows) + "\n")


@pytest.fixture
def remc_folder(tmp_path):
    """Two cell types, E001 and E002, of 30 simulated genes per split."""
    root = tmp_path / "remc"
    for cell_number, cell in enumerate(("E001", "E002")):
        for split_number, split in enumerate(("train", "valid", "test")):
            write_remc_csv(
                root / cell / "classification" / f"{split}.csv",
                n_genes=30,
                seed=10 * cell_number + split_number,
            )
    return root


def test_benchmark_writes_results_summary_figures_and_attention(tmp_path, capsys):
    out = tmp_path / "out"
    arguments = ["benchmark", "--cells", "SIM01,SIM02", "--out", str(out), *TINY]
    assert main([*arguments, "--models", "attentivechrome,lstm-alpha,deepchrome"]) == 0
    printed = capsys.readouterr().out
    assert "SIM02 LSTM-alpha: test AUC" in printed
    assert "beats_DeepChrome" in printed
    assert "train_loss" not in printed
    assert f"and the figures (test_auc.png, attention/), in {out}" in printed
    results = pd.read_csv(out / "results.csv")
    for cell, cell_results in results.groupby("cell"):
        best = cell_results.loc[cell_results["test_auc"].idxmax()]
        assert f"{cell}: {best['model']} ({best['test_auc']:.4f}), ahead of" in printed
    assert list(results.columns) == list(study.RESULT_COLUMNS["classification"])
    assert results[["cell", "model"]].values.tolist() == [
        [cell, model]
        for cell in ("SIM01", "SIM02")
        for model in ("AttentiveChrome", "LSTM-alpha", "DeepChrome")
    ]
    assert (results["status"] == "ok").all()
    assert (results["epochs"] == 1).all()
    assert (results["device"] == resolve_device("auto")).all()
    summary = pd.read_csv(out / "summary.csv")
    assert summary["model"].tolist() == ["AttentiveChrome", "LSTM-alpha", "DeepChrome"]
    assert summary["cells"].tolist() == [2, 2, 2]
    mean_auc = results.groupby("model", sort=False)["test_auc"].mean()
    np.testing.assert_allclose(summary["mean_auc"], mean_auc[summary["model"]])
    assert (out / "test_auc.png").stat().st_size > 0
    maps = np.load(out / "attention" / "SIM01" / "attentivechrome.npz")
    assert maps["labels"].tolist() == [0, 1]
    assert maps["bin_attention"].shape == (2, 10, 5)
    np.testing.assert_allclose(maps["bin_attention"].sum(axis=1), 1, rtol=1e-5)
    assert maps["mark_attention"].shape == (2, 5)
    assert maps["mark_names"].tolist()[3] == "H3K4me3"
    assert maps["bin_offsets"][0] == -500
    bin_only = np.load(out / "attention" / "SIM02" / "lstm-alpha.npz")
    assert "mark_attention" not in bin_only
    assert (out / "attention" / "SIM02" / "lstm-alpha.png").is_file()
    assert not (out / "attention" / "SIM01" / "deepchrome.npz").exists()


def test_benchmark_resumes_only_unfinished_tasks(tmp_path, monkeypatch, capsys):
    out = tmp_path / "out"
    arguments = ["benchmark", "--models", "deepchrome", "--out", str(out), *TINY]
    calls, crashed = [], []
    run_task = _runner.run_task

    def crash_on_sim02_once(task):
        calls.append(task.cell)
        if task.cell == "SIM02" and not crashed:
            crashed.append(task.cell)
            raise KeyboardInterrupt
        return run_task(task)

    monkeypatch.setattr(_runner, "run_task", crash_on_sim02_once)
    assert main(arguments) == 130
    assert sorted(path.name for path in (out / "tasks").iterdir()) == [
        "SIM01__deepchrome.json"
    ]
    first = json.loads((out / "tasks" / "SIM01__deepchrome.json").read_text())

    calls.clear()
    assert main(arguments) == 0
    assert calls == ["SIM02", "SIM03"]
    assert "SIM01 DeepChrome: test AUC" in capsys.readouterr().out
    results = pd.read_csv(out / "results.csv")
    assert results.loc[0, "test_auc"] == first["record"]["test_auc"]

    (out / "tasks" / "SIM03__deepchrome.json").unlink()
    calls.clear()
    assert main(arguments) == 0
    assert calls == ["SIM03"]
    rerun = pd.read_csv(out / "results.csv")
    pd.testing.assert_frame_equal(
        rerun.drop(columns="seconds"), results.drop(columns="seconds")
    )

    calls.clear()
    assert main([*arguments, "--max-epochs", "2"]) == 0
    assert calls == ["SIM01", "SIM02", "SIM03"]


def test_benchmark_on_a_folder_records_a_failing_cell(remc_folder, tmp_path, capsys):
    broken = remc_folder / "E002" / "classification" / "valid.csv"
    broken.write_text(broken.read_text().replace(",", ",x,", 1))
    out = tmp_path / "out"
    arguments = ["benchmark", "--data", str(remc_folder), "--out", str(out)]
    arguments += ["--models", "deepchrome,forest", "--max-epochs", "1", "--quiet"]
    assert main(arguments) == 1
    results = pd.read_csv(out / "results.csv")
    assert results["cell"].tolist() == ["E001", "E001", "E002", "E002"]
    assert results["status"].tolist() == ["ok", "ok", "failed", "failed"]
    assert results["error"].iloc[2].startswith("ValueError: ")
    assert "valid.csv" in results["error"].iloc[2]
    assert results["test_auc"].iloc[:2].notna().all()
    assert results["test_auc"].iloc[2:].isna().all()
    printed = capsys.readouterr().out
    assert "2 tasks failed:" in printed
    assert "E002 RandomForest: ValueError" in printed


@pytest.mark.slow
def test_benchmark_on_the_shared_data(test_data, tmp_path):
    out = tmp_path / "out"
    arguments = ["benchmark", "--data", str(test_data / "remc"), "--cells", "E003,E123"]
    arguments += ["--models", "attentivechrome,forest", "--out", str(out)]
    status = main([*arguments, "--max-epochs", "2", "--quiet"])
    results = pd.read_csv(out / "results.csv")
    assert status == 0, results["error"].tolist()
    assert results["cell"].tolist() == ["E003", "E003", "E123", "E123"]
    for cell, test_auc in results[results["model"] == "RandomForest"][
        ["cell", "test_auc"]
    ].itertuples(index=False):
        splits = study.DataSource("folder", str(test_data / "remc")).load(cell)
        forest = build_model(
            "forest", random_state=study.task_seed(0, cell, "forest")
        ).fit(splits["train"].data, splits["train"].target)
        proba = forest.predict_proba(splits["test"].data)[:, 1]
        assert test_auc == pytest.approx(roc_auc_score(splits["test"].target, proba))
    assert np.load(out / "attention" / "E123" / "attentivechrome.npz")[
        "bin_attention"
    ].shape == (2, 100, 5)


def test_benchmark_on_the_published_archive(test_data, tmp_path, monkeypatch):
    archive = tmp_path / "data.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        for cell in ("E003", "E123"):
            tar.add(test_data / "remc" / cell, arcname=f"data/{cell}")
    monkeypatch.setenv("SKATTCHROME_REMC_URL", archive.as_uri())
    out = tmp_path / "out"
    arguments = ["--data", "remc", "--data-home", str(tmp_path / "home")]
    arguments += ["--cells", "E123", "--models", "deepchrome", "--out", str(out)]
    assert main(["benchmark", *arguments, "--max-epochs", "1", "--quiet"]) == 0
    assert (tmp_path / "home" / "remc" / "E003").is_dir()
    results = pd.read_csv(out / "results.csv")
    assert results[["cell", "model", "status"]].values.tolist() == [
        ["E123", "DeepChrome", "ok"]
    ]


def test_benchmark_rejects_unknown_cells_and_models(tmp_path, capsys):
    with pytest.raises(SystemExit) as unknown_cell:
        main(["benchmark", "--cells", "E003", "--out", str(tmp_path)])
    assert unknown_cell.value.code == 2
    assert "SIM01, SIM02, SIM03" in capsys.readouterr().err
    with pytest.raises(SystemExit) as unknown_model:
        main(["benchmark", "--models", "transformer"])
    assert unknown_model.value.code == 2
    assert "attentivechrome" in capsys.readouterr().err


@pytest.mark.slow
def test_local_dask_cluster_gives_the_local_results(tmp_path):
    pytest.importorskip("distributed")
    arguments = ["benchmark", "--models", "lstm,deepchrome", "--cells", "SIM01,SIM03"]
    arguments += [*TINY, "--max-epochs", "2"]
    assert main([*arguments, "--out", str(tmp_path / "local")]) == 0
    cluster_arguments = ["--scheduler", "local", "--n-jobs", "2"]
    assert main([*arguments, *cluster_arguments, "--out", str(tmp_path / "dask")]) == 0
    local = pd.read_csv(tmp_path / "local" / "results.csv")
    cluster = pd.read_csv(tmp_path / "dask" / "results.csv")
    columns = ["cell", "model", "test_auc", "best_valid_auc", "best_epoch", "epochs"]
    pd.testing.assert_frame_equal(cluster[columns], local[columns], check_exact=True)


def test_fit_predict_explain_round_trip(remc_folder, tmp_path, capsys):
    cell = remc_folder / "E001"
    model_path = tmp_path / "model.skattchrome"
    fit = ["fit", str(cell), "--model", "attentivechrome", "--out", str(model_path)]
    assert main([*fit, "--max-epochs", "2", "--quiet"]) == 0
    assert "best validation AUC" in capsys.readouterr().out

    predictions_path = tmp_path / "predictions.csv"
    test_csv = cell / "classification" / "test.csv"
    predict = ["predict", str(model_path), str(test_csv), "--out"]
    assert main([*predict, str(predictions_path)]) == 0
    assert "ROC AUC" in capsys.readouterr().out
    predictions = pd.read_csv(predictions_path, dtype={"gene_id": str})
    assert list(predictions.columns) == [
        "gene_id",
        "probability",
        "predicted_label",
        "label",
    ]
    assert predictions["gene_id"].iloc[0] == "000000"
    assert ((predictions["probability"] > 0.5) == predictions["predicted_label"]).all()

    attention_path = tmp_path / "attention.npz"
    explain = ["explain", str(model_path), str(cell), "--subset", "valid"]
    assert main([*explain, "--out", str(attention_path)]) == 0
    maps = np.load(attention_path)
    assert maps["bin_attention"].shape == (30, 10, 5)
    assert maps["mark_attention"].shape == (30, 5)
    assert maps["gene_ids"][0] == "000000"
    assert maps["mark_names"].shape == (5,)
    assert maps["bin_offsets"].shape == (10,)


def test_explain_refuses_a_model_without_attention(remc_folder, tmp_path, capsys):
    model_path = tmp_path / "logistic.skattchrome"
    fit = ["fit", str(remc_folder / "E001"), "--model", "logistic"]
    assert main([*fit, "--out", str(model_path), "--quiet"]) == 0
    assert main(["explain", str(model_path), str(remc_folder / "E001")]) == 1
    assert "has no attention" in capsys.readouterr().err


def test_a_failed_write_leaves_no_file_behind(remc_folder, tmp_path, monkeypatch):
    model_path = tmp_path / "logistic.skattchrome"
    fit = ["fit", str(remc_folder / "E001"), "--model", "logistic"]
    assert main([*fit, "--out", str(model_path), "--quiet"]) == 0
    out = tmp_path / "predictions"

    def write_half_then_fail(self, handle, **kwargs):
        handle.write(b"gene_id,probab")
        raise OSError("No space left on device")

    monkeypatch.setattr(pd.DataFrame, "to_csv", write_half_then_fail)
    predict = ["predict", str(model_path), str(remc_folder / "E001"), "--out"]
    assert main([*predict, str(out / "predictions.csv")]) == 1
    assert list(out.iterdir()) == []


def test_fit_offers_the_models_of_the_registry(capsys):
    with pytest.raises(SystemExit):
        main(["fit", "--help"])
    listed = re.search(r"--model \{([^}]*)\}", capsys.readouterr().out).group(1)
    assert listed.split(",") == list(MODELS)


@pytest.mark.slow
def test_python_dash_m_benchmark(tmp_path):
    command = [sys.executable, "-m", "skattchrome", "benchmark", "--cells", "SIM03"]
    command += ["--models", "forest", "--out", str(tmp_path), *TINY]
    result = subprocess.run(command, capture_output=True, text=True, check=True)
    assert "SIM03 RandomForest: test AUC" in result.stdout
    assert re.search(r"RandomForest +1 +0 +0\.\d{4}", result.stdout)
    assert (tmp_path / "results.csv").is_file()


def test_help_documents_the_cluster_and_the_sizes(capsys):
    with pytest.raises(SystemExit):
        main(["benchmark", "--help"])
    text = capsys.readouterr().out
    assert "dask worker tcp://HOST:8786 --nthreads 1" in text
    assert "CUDA_VISIBLE_DEVICES" in text
    assert "1200, 900, 600 genes" in text


def test_benchmark_without_matplotlib_says_so_and_writes_no_figure(
    tmp_path, monkeypatch, capsys
):
    def no_matplotlib(*args, **kwargs):
        raise ImportError("No module named 'matplotlib'")

    monkeypatch.setattr(_figures, "test_score_figure", no_matplotlib)
    monkeypatch.setattr(_figures, "attention_figure", no_matplotlib)
    out = tmp_path / "out"
    arguments = ["benchmark", "--cells", "SIM01", "--models", "attentivechrome"]
    assert main([*arguments, "--out", str(out), *TINY]) == 0
    printed = capsys.readouterr().out
    assert "no figures: they need matplotlib" in printed
    assert "and the figures" not in printed
    assert not list(out.rglob("*.png"))
    assert (out / "results.csv").is_file() and (out / "summary.csv").is_file()


def test_benchmark_prints_epoch_tables_only_when_asked(tmp_path, capsys):
    arguments = ["benchmark", "--cells", "SIM01", "--models", "deepchrome"]
    arguments += ["--genes", "60", "--bins", "10", "--max-epochs", "2"]
    assert main([*arguments, "--out", str(tmp_path / "plain")]) == 0
    assert "train_loss" not in capsys.readouterr().out
    assert main([*arguments, "--out", str(tmp_path / "verbose"), "--verbose"]) == 0
    assert "train_loss" in capsys.readouterr().out


def write_expression_table(path, remc_folder):
    """log RPKM-like values for every gene of E001, in a column E001_rpkm."""
    genes = pd.concat(
        pd.read_csv(csv, header=None, dtype={0: str})
        for csv in sorted((remc_folder / "E001" / "classification").glob("*.csv"))
    )
    signal = genes.groupby(0, sort=False)[[3, 5]].sum()
    rpkm = np.expm1(np.log1p(signal[5]) - 0.3 * np.log1p(signal[3]))
    pd.DataFrame({"gene_id": signal.index, "E001_rpkm": rpkm}).to_csv(path, index=False)


def test_fit_predict_explain_a_regressor(remc_folder, tmp_path, capsys):
    table = tmp_path / "expression.csv"
    write_expression_table(table, remc_folder)
    expression = ["--expression", str(table), "--expression-column", "{cell}_rpkm"]
    expression += ["--log1p"]
    cell = remc_folder / "E001"
    model_path = tmp_path / "model.skattchrome"
    fit = ["fit", str(cell), "--model", "attentivechrome", "--task", "regression"]
    assert main([*fit, *expression, "--out", str(model_path), "--quiet"]) == 0
    assert "best validation R²" in capsys.readouterr().out
    model = load_model(model_path)
    assert type(model).__name__ == "AttentiveChromeRegressor"

    out = tmp_path / "predictions.csv"
    predict = ["predict", str(model_path), str(cell), "--out", str(out)]
    assert main([*predict, *expression]) == 0
    assert "Pearson r" in capsys.readouterr().out
    predictions = pd.read_csv(out, dtype={"gene_id": str})
    assert list(predictions.columns) == ["gene_id", "prediction", "expression"]
    test = load_remc(cell, "test")
    np.testing.assert_allclose(
        predictions["prediction"], model.predict(test.data), rtol=1e-6
    )
    assert main([*predict]) == 0
    assert list(pd.read_csv(out).columns) == ["gene_id", "prediction"]

    attention_path = tmp_path / "attention.npz"
    explain = ["explain", str(model_path), str(cell), "--out", str(attention_path)]
    assert main(explain) == 0
    assert np.load(attention_path)["bin_attention"].shape == (30, 10, 5)


def test_regression_needs_expression_values_and_a_regressor(
    remc_folder, tmp_path, capsys
):
    cell = remc_folder / "E001"
    fit = [
        "fit",
        str(cell),
        "--out",
        str(tmp_path / "m.skattchrome"),
        "--task",
        "regression",
    ]
    with pytest.raises(SystemExit):
        main([*fit, "--model", "ridge"])
    assert "--task regression needs --expression" in capsys.readouterr().err
    table = tmp_path / "expression.csv"
    write_expression_table(table, remc_folder)
    assert main([*fit, "--model", "logistic", "--expression", str(table)]) == 1
    assert "'logistic' has no estimator for regression" in capsys.readouterr().err
    assert main([*fit, "--model", "ridge", "--expression", str(table)]) == 1
    assert "no column 'E001'" in capsys.readouterr().err
    benchmark = ["benchmark", "--data", str(remc_folder), "--task", "regression"]
    with pytest.raises(SystemExit):
        main([*benchmark, "--out", str(tmp_path / "out")])
    assert "needs --expression TABLE" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["benchmark", "--task", "regression", "--models", "logistic"])
    assert "logistic cannot do regression" in capsys.readouterr().err


def test_benchmark_regression_on_a_folder_with_an_expression_table(
    remc_folder, tmp_path, capsys
):
    table = tmp_path / "expression.csv"
    write_expression_table(table, remc_folder)
    out = tmp_path / "out"
    arguments = ["benchmark", "--data", str(remc_folder), "--cells", "E001"]
    arguments += ["--task", "regression", "--expression", str(table), "--log1p"]
    arguments += ["--expression-column", "{cell}_rpkm", "--models", "forest,ridge"]
    assert main([*arguments, "--out", str(out), "--quiet"]) == 0
    printed = capsys.readouterr().out
    assert "Test Pearson r per model over cell types:" in printed
    assert "E001 Ridge: test r" in printed
    results = pd.read_csv(out / "results.csv")
    assert list(results.columns) == list(study.RESULT_COLUMNS["regression"])
    summary = pd.read_csv(out / "summary.csv")
    assert {"mean_pearson", "beats_Ridge"} <= set(summary.columns)
    assert (out / "test_pearson.png").is_file()


def test_benchmark_on_chromosome_splits_of_the_shared_genes(
    test_data, tmp_path, capsys
):
    table = str(test_data / "deepdiff" / "genes.csv")
    arguments = ["benchmark", "--data", str(test_data / "deepdiff"), "--quiet"]
    arguments += ["--cells", "E003", "--models", "ridge", "--task", "regression"]
    arguments += ["--expression", table, "--expression-column", "{cell}_rpkm"]
    arguments += ["--log1p", "--out", str(tmp_path / "out")]
    with pytest.raises(SystemExit):
        main([*arguments, "--split", "chromosomes"])
    assert "--split chromosomes needs --chromosomes" in capsys.readouterr().err
    assert main([*arguments, "--split", "chromosomes", "--chromosomes", table]) == 0
    record = pd.read_csv(tmp_path / "out" / "results.csv").iloc[0]
    assert record["status"] == "ok" and record["test_pearson"] > 0.3
    saved = json.loads((tmp_path / "out" / "tasks" / "E003__ridge.json").read_text())
    assert saved["settings"]["source"]["split"] == "chromosomes"
    with pytest.raises(SystemExit):
        main(["benchmark", "--split", "chromosomes", "--chromosomes", table])
    assert "simulated genes have no chromosomes" in capsys.readouterr().err


class _Payload:
    """A pickle that, opened by an unrestricted unpickler, creates a file."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, "w"))


def test_predict_and_explain_refuse_a_pickle_unless_allowed(
    remc_folder, tmp_path, capsys
):
    cell = remc_folder / "E001"
    marker = tmp_path / "code-ran"
    untrusted = tmp_path / "model.pkl"
    joblib.dump(_Payload(marker), untrusted)
    for command in ("predict", "explain"):
        assert main([command, str(untrusted), str(cell)]) == 1
        error = capsys.readouterr().err
        assert "holds a pickle" in error
        assert "unpickling runs whatever code the file holds" in error
    assert not marker.exists()

    model = build_model("forest", random_state=0).fit(
        *load_remc(cell, "train", return_X_y=True)
    )
    trusted = tmp_path / "forest.pkl"
    joblib.dump(model, trusted)
    out = tmp_path / "predictions.csv"
    assert main(["predict", str(trusted), str(cell), "--out", str(out)]) == 1
    assert not out.exists()
    predict = ["predict", str(trusted), str(cell), "--out", str(out), "--allow-pickle"]
    assert main(predict) == 0
    test = load_remc(cell, "test")
    np.testing.assert_array_equal(
        pd.read_csv(out)["probability"], model.predict_proba(test.data)[:, 1]
    )


def test_predict_and_explain_with_a_published_model(
    tmp_path, monkeypatch, test_data, capsys
):
    generator = torch.Generator().manual_seed(0)
    state = {
        name: 0.3 * torch.randn(shape, generator=generator)
        for name, shape in _published._published_layout().items()
    }
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    weights = mirror / "E003_attchrome_avgAUC_model.pt"
    torch.save(state, weights)
    md5 = hashlib.md5(weights.read_bytes()).hexdigest()
    monkeypatch.setitem(_published._MD5, "E003", md5)
    monkeypatch.setenv(URL_VARIABLE, mirror.as_uri())
    monkeypatch.setenv("SCIKIT_LEARN_DATA", str(tmp_path / "home"))
    published = from_published_weights(weights)

    out = tmp_path / "predictions.csv"
    cell = test_data / "remc" / "E003"
    assert main(["predict", "--published", "E003", str(cell), "--out", str(out)]) == 0
    assert "ROC AUC" in capsys.readouterr().out
    test = load_remc(cell, "test")
    np.testing.assert_allclose(
        pd.read_csv(out)["probability"],
        published.predict_proba(test.data)[:, 1],
        rtol=1e-6,
    )
    maps_path = tmp_path / "attention.npz"
    explain = ["explain", "--published", "E003", str(cell), "--out", str(maps_path)]
    assert main(explain) == 0
    np.testing.assert_allclose(
        np.load(maps_path)["bin_attention"],
        published.attention(test.data).bin_attention,
        atol=1e-6,
    )
    with pytest.raises(SystemExit):
        main(["predict", "--published", "E003", str(weights), str(cell)])
    assert "expected DATA after --published CELL" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["explain", str(cell)])
    assert "expected MODEL DATA, or --published CELL DATA" in capsys.readouterr().err
    assert main(["predict", "--published", "E059", str(cell)]) == 1
    assert "E059 has no published AttentiveChrome model" in capsys.readouterr().err


def test_input_log1p_switches_the_neural_models_only(tmp_path, remc_folder, capsys):
    results = {}
    for scale in ("counts", "log1p"):
        out = tmp_path / scale
        arguments = ["benchmark", "--cells", "SIM01", "--out", str(out), *TINY]
        arguments += ["--models", "deepchrome,forest", "--input", scale]
        assert main(arguments) == 0
        results[scale] = pd.read_csv(out / "results.csv").set_index("model")
    counts, logged = results["counts"], results["log1p"]
    assert (
        counts.loc["RandomForest", "test_auc"] == logged.loc["RandomForest", "test_auc"]
    )
    assert counts.loc["DeepChrome", "test_auc"] != logged.loc["DeepChrome", "test_auc"]

    cell = remc_folder / "E001"
    model_path = tmp_path / "model.skattchrome"
    fit = ["fit", str(cell), "--model", "deepchrome", "--out", str(model_path)]
    assert main([*fit, "--max-epochs", "1", "--quiet", "--input", "log1p"]) == 0
    model = load_model(model_path)
    assert model.log_transform
    out = tmp_path / "predictions.csv"
    assert main(["predict", str(model_path), str(cell), "--out", str(out)]) == 0
    test = load_remc(cell, "test")
    np.testing.assert_array_equal(
        pd.read_csv(out)["probability"], model.predict_proba(test.data)[:, 1]
    )
    with pytest.raises(SystemExit):
        main(["fit", str(cell), "--model", "forest", "--out", "m", "--input", "log"])
    assert "invalid choice: 'log'" in capsys.readouterr().err


def _error_line(capsys, command):
    """The one line that a failed ``command`` printed to stderr, checked as such."""
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"skattchrome {command}: error: ")
    return lines[0]


def _usage_error(capsys, command, argv):
    """The error line of the usage error (status 2) that ``main(argv)`` exits with."""
    with pytest.raises(SystemExit) as exited:
        main(argv)
    assert exited.value.code == 2
    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert last.startswith(f"skattchrome {command}: error: ")
    return last


@pytest.fixture
def logistic_model(remc_folder, tmp_path):
    """A logistic model of E001 saved by ``skattchrome fit``."""
    path = tmp_path / "logistic.skattchrome"
    fit = ["fit", str(remc_folder / "E001"), "--model", "logistic", "--quiet"]
    assert main([*fit, "--out", str(path)]) == 0
    return path


def _damaged_model_files(model, folder):
    """Files that are not model files as a user may hold them: name -> path."""
    content = model.read_bytes()
    flipped = bytearray(content)
    flipped[len(content) // 3] ^= 0xFF
    files = {
        "empty": b"",
        "text": b"gene_id,probability\n",
        "first-half": content[: len(content) // 2],
        "last-bytes-cut": content[:-30],
        "changed-byte": bytes(flipped),
    }
    for name, data in files.items():
        (folder / f"{name}.skattchrome").write_bytes(data)
    torch.save({"weight": torch.zeros(2)}, folder / "torch-save.skattchrome")
    return {path.stem: path for path in folder.glob("*.skattchrome")}


@pytest.mark.parametrize("allow_pickle", [False, True], ids=["plain", "allow-pickle"])
def test_predict_and_explain_name_a_file_that_is_no_model(
    logistic_model, remc_folder, tmp_path, capsys, allow_pickle
):
    folder = tmp_path / "damaged"
    folder.mkdir()
    files = _damaged_model_files(logistic_model, folder)
    assert len(files) == 6
    options = ["--allow-pickle"] if allow_pickle else []
    for path in files.values():
        for command in ("predict", "explain"):
            out = tmp_path / f"{command}.out"
            arguments = [command, str(path), str(remc_folder / "E001"), *options]
            assert main([*arguments, "--out", str(out)]) == 1, path
            assert str(path) in _error_line(capsys, command)
            assert not out.exists()


def test_expression_column_takes_only_the_cell_placeholder(
    logistic_model, remc_folder, tmp_path, capsys
):
    table = tmp_path / "expression.csv"
    write_expression_table(table, remc_folder)
    cell = str(remc_folder / "E001")
    commands = {
        "fit": ["fit", cell, "--model", "ridge", "--task", "regression"],
        "predict": ["predict", str(logistic_model), cell],
        "benchmark": ["benchmark", "--data", str(remc_folder), "--models", "ridge"],
    }
    for command, arguments in commands.items():
        arguments = [*arguments, "--out", str(tmp_path / "out"), "--expression"]
        for column in ("{cells}_rpkm", "{0}", "{}", "{cell.upper}", "E001{"):
            error = _usage_error(
                capsys,
                command,
                [*arguments, str(table), "--expression-column", column],
            )
            assert f"--expression-column: The expression column {column!r}" in error
    assert not (tmp_path / "out").exists()


def test_outputs_are_checked_before_the_work(
    logistic_model, remc_folder, tmp_path, monkeypatch, capsys
):
    def no_work(*args, **kwargs):
        raise AssertionError("the work started before --out was checked")

    monkeypatch.setattr(_model_commands, "fit_model", no_work)
    monkeypatch.setattr(_model_commands, "load_model", no_work)
    monkeypatch.setattr(_runner, "run_task", no_work)
    (tmp_path / "folder").mkdir()
    (tmp_path / "regular").write_text("")
    (tmp_path / "results" / "summary.csv").mkdir(parents=True)
    cell = str(remc_folder / "E001")
    commands = {
        "fit": ["fit", cell, "--model", "logistic"],
        "predict": ["predict", str(logistic_model), cell],
        "explain": ["explain", str(logistic_model), cell],
        "benchmark": ["benchmark", "--models", "logistic", *TINY],
    }
    for command, arguments in commands.items():
        outputs = {
            "folder": "it is a folder",
            "regular/out": f"{tmp_path / 'regular'} is not a folder",
            "regular/deeper/out": f"{tmp_path / 'regular'} is not a folder",
        }
        if command == "benchmark":
            outputs = {
                "regular": "it exists and is not a folder",
                "regular/out": f"{tmp_path / 'regular'} is not a folder",
                "results": "summary.csv: it is a folder",
            }
        for out, problem in outputs.items():
            error = _usage_error(
                capsys,
                command,
                [*arguments, "--out", str(tmp_path / out)],
            )
            assert error.endswith(problem), error
            assert f"argument --out: cannot write {tmp_path / out}" in error
        _usage_error(capsys, command, [*arguments, "--out", ""])


def test_a_write_that_fails_names_the_users_path(
    remc_folder, tmp_path, monkeypatch, capsys
):
    out = tmp_path / "model.skattchrome"
    fit_model = _model_commands.fit_model

    def fit_then_take_the_path(*args, **kwargs):
        fit_model(*args, **kwargs)
        out.mkdir()

    monkeypatch.setattr(_model_commands, "fit_model", fit_then_take_the_path)
    fit = ["fit", str(remc_folder / "E001"), "--model", "logistic", "--quiet"]
    assert main([*fit, "--out", str(out)]) == 1
    error = _error_line(capsys, "fit")
    assert error.endswith(f"Is a directory: '{out}'")
    assert sorted(path.name for path in tmp_path.iterdir()) == [out.name, "remc"]


def test_the_command_line_writes_files_with_the_umask(remc_folder, tmp_path, umask):
    cell = str(remc_folder / "E001")
    model = tmp_path / "models" / "attentivechrome.skattchrome"
    fit = ["fit", cell, "--model", "attentivechrome", "--max-epochs", "1"]
    assert main([*fit, "--quiet", "--out", str(model)]) == 0
    predictions, maps = tmp_path / "predictions.csv", tmp_path / "attention.npz"
    assert main(["predict", str(model), cell, "--out", str(predictions)]) == 0
    assert main(["explain", str(model), cell, "--out", str(maps)]) == 0
    out = tmp_path / "benchmark"
    arguments = ["benchmark", "--cells", "SIM01", "--models", "lstm-alpha,logistic"]
    assert main([*arguments, *TINY, "--out", str(out)]) == 0
    written = [model, predictions, maps, *out.rglob("*")]
    assert {out / "results.csv", out / "summary.csv", out / "test_auc.png"} <= set(
        written
    )
    assert out / "attention" / "SIM01" / "lstm-alpha.npz" in written
    modes = {path: stat.S_IMODE(path.stat().st_mode) for path in written}
    expected = {path: (0o777 if path.is_dir() else 0o666) & ~umask for path in written}
    assert modes == expected


def test_an_unreachable_scheduler_fails_within_seconds_naming_it(tmp_path, capsys):
    pytest.importorskip("distributed")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        address = f"tcp://127.0.0.1:{probe.getsockname()[1]}"
    arguments = ["benchmark", "--cells", "SIM01", "--models", "logistic", *TINY]
    start = time.monotonic()
    assert main([*arguments, "--scheduler", address, "--out", str(tmp_path)]) == 1
    assert time.monotonic() - start < 10
    error = _error_line(capsys, "benchmark")
    assert f"No Dask scheduler answered at {address} within 5 s" in error
    assert main([*arguments, "--scheduler", "HOST", "--out", str(tmp_path)]) == 1
    assert "Cannot connect to a Dask scheduler at 'HOST'" in _error_line(
        capsys, "benchmark"
    )
    assert list(tmp_path.iterdir()) == []


def test_options_with_invalid_values_are_usage_errors(remc_folder, tmp_path, capsys):
    cell = str(remc_folder / "E001")
    fit = ["fit", cell, "--model", "logistic", "--out", str(tmp_path / "m")]
    for option, value, words in [
        ("--seed", "-1", "--seed: must be from 0 to 2**32 - 1"),
        ("--seed", str(2**32), "--seed: must be from 0 to 2**32 - 1"),
        ("--device", "gpu7", "--device: not a device: 'gpu7'"),
        ("--expression", str(tmp_path / "absent.csv"), "--expression: no such file"),
        ("--expression", str(tmp_path), "is a folder, not a file"),
    ]:
        error = _usage_error(capsys, "fit", [*fit, option, value])
        assert words in error
    benchmark = ["benchmark", "--data", str(remc_folder), "--split", "chromosomes"]
    benchmark += ["--out", str(tmp_path / "out"), "--chromosomes"]
    error = _usage_error(
        capsys, "benchmark", [*benchmark, str(tmp_path / "absent.bed")]
    )
    assert "--chromosomes: no such file" in error
    missing, folder = str(tmp_path / "missing.csv"), str(remc_folder)
    for command, arguments, words in [
        ("fit", ["fit", missing, "--model", "logistic"], "DATA: no such file or"),
        ("fit", [*fit[:4], "--valid", missing], "--valid: no such file or folder"),
        ("predict", ["predict", missing, cell], "MODEL: no such file"),
        ("explain", ["explain", folder, cell], "MODEL: " + folder + " is a folder"),
        ("predict", ["predict", "--published", "E003", missing], "DATA: no such"),
    ]:
        out = ["--out", str(tmp_path / "out")]
        assert words in _usage_error(capsys, command, [*arguments, *out])
    (tmp_path / "regular").write_text("")
    for arguments, words in [
        (["--data", ""], "--data: an empty path"),
        (["--data", "remc", "--data-home", ""], "--data-home: an empty path"),
        (
            ["--data", "remc", "--data-home", str(tmp_path / "regular")],
            "--data-home: cannot write",
        ),
    ]:
        error = _usage_error(capsys, "benchmark", ["benchmark", *arguments, *out])
        assert words in error
    assert not (tmp_path / "m").exists() and not (tmp_path / "out").exists()


def test_an_interrupted_fit_says_so(remc_folder, tmp_path, monkeypatch, capsys):
    def interrupt(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(_model_commands, "fit_model", interrupt)
    out = tmp_path / "model.skattchrome"
    fit = ["fit", str(remc_folder / "E001"), "--model", "logistic", "--out", str(out)]
    assert main(fit) == 130
    assert capsys.readouterr().err == "skattchrome fit: interrupted\n"
    assert not out.exists()


def test_an_unknown_option_is_the_commands_usage_error(capsys):
    # argparse's top-level parser said "skattchrome: error:", naming no command.
    fit = ["fit", "data.csv", "--model", "logistic", "--out", "model.skattchrome"]
    error = _usage_error(capsys, "fit", [*fit, "--epochs", "3"])
    assert error.endswith("unrecognized arguments: --epochs 3")


def test_too_few_simulated_genes_are_a_usage_error(capsys):
    # --genes 1 ran, and every task failed on a split of one class.
    error = _usage_error(capsys, "benchmark", ["benchmark", "--genes", "5"])
    assert "argument --genes: must be at least 30" in error


def test_subset_names_the_option_when_data_is_a_file(remc_folder, tmp_path, capsys):
    # load_remc's "subset='valid' applies to a cell-type folder" named no option.
    data = remc_folder / "E001" / "classification" / "train.csv"
    fit = ["fit", str(data), "--model", "logistic", "--quiet"]
    assert main([*fit, "--subset", "valid", "--out", str(tmp_path / "m")]) == 1
    assert "--subset valid chooses a split of a cell-type folder, but DATA" in (
        _error_line(capsys, "fit")
    )
    folder = ["fit", str(remc_folder / "E001"), "--model", "logistic", "--quiet"]
    assert main([*folder, "--subset", "training", "--out", str(tmp_path / "m")]) == 1
    assert "--subset must be one of train, valid, test; got 'training'" in (
        _error_line(capsys, "fit")
    )
