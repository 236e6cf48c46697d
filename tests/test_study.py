"""The study runner behind ``skattchrome benchmark``."""

import re
import sys
import zlib

import numpy as np
import pandas as pd
import pytest
import torch

from skattchrome import ChromeRidgeRegressor
from skattchrome._study import (
    RESULT_COLUMNS,
    SIMULATED_CELLS,
    DataSource,
    StudyTask,
    _figures,
    _runner,
    cell_winners,
    expression_column,
    read_chromosomes,
    read_expression,
    run_study,
    run_task,
    summarize_results,
    task_seed,
)
from skattchrome.datasets import make_chromatin_data


def test_task_seed_is_a_stable_hash():
    assert task_seed(7, "E003", "lstm") == zlib.crc32(b"7/E003/lstm")
    seeds = {task_seed(0, cell, "lstm") for cell in ("E003", "E004", "E005")}
    assert len(seeds) == 3


def test_simulated_cells_have_their_own_data_and_thirds():
    source = DataSource("simulated", n_genes=30, n_bins=8)
    first, second = source.load("SIM01"), source.load("SIM02")
    sizes = [len(first[split].target) for split in ("train", "valid", "test")]
    assert sizes == [10, 10, 10]
    assert first["train"].data.shape == (10, 8, 5)
    assert not np.array_equal(first["train"].data, second["train"].data)
    again = source.load("SIM01")
    np.testing.assert_array_equal(first["test"].data, again["test"].data)


def test_folder_source_lists_only_cell_type_folders(tmp_path):
    (tmp_path / "E005" / "classification").mkdir(parents=True)
    (tmp_path / "E004" / "classification").mkdir(parents=True)
    (tmp_path / "notes").mkdir()
    (tmp_path / "train.csv").write_text("")
    assert DataSource("folder", path=str(tmp_path)).cells() == ["E004", "E005"]
    with pytest.raises(ValueError, match="kind must be one of"):
        DataSource("bigwig")


def test_run_task_restores_the_torch_threads_and_records_failures():
    before = torch.get_num_threads()
    source = DataSource("simulated", n_genes=30, n_bins=8)
    task = StudyTask("SIM01", "deepchrome", source, max_epochs=1, n_threads=1)
    result = run_task(task)
    assert torch.get_num_threads() == before
    assert result.record["status"] == "ok"
    assert result.attention == {}
    failed = run_task(StudyTask("SIM01", "deepchrome", source, device="tpu"))
    assert failed.record["status"] == "failed"
    assert failed.record["error"].startswith("ValueError: device='tpu'")
    assert failed.record["test_auc"] is None


def test_summary_leaves_failed_tasks_out_of_the_statistics():
    results = pd.DataFrame(
        {
            "cell": ["E003", "E004", "E003", "E004"],
            "model": ["AttentiveChrome", "AttentiveChrome", "LSTM", "LSTM"],
            "test_auc": [0.8, None, 0.7, 0.9],
            "status": ["ok", "failed", "ok", "ok"],
        }
    )
    summary = summarize_results(results).set_index("model")
    assert summary.loc["AttentiveChrome", "cells"] == 1
    assert summary.loc["AttentiveChrome", "failed"] == 1
    assert summary.loc["LSTM", "median_auc"] == pytest.approx(0.8)
    assert summary["beats_DeepChrome"].isna().all()


def test_cell_winners_name_each_cell_types_best_scored_model():
    results = pd.DataFrame(
        {
            "cell": ["E003", "E003", "E003", "E004", "E004", "E005"],
            "model": ["AttentiveChrome", "DeepChrome", "Logistic"] * 2,
            "test_auc": [0.80, 0.95, 0.82, 0.90, 0.90, 0.70],
            "status": ["ok", "failed", "ok", "ok", "ok", "ok"],
        }
    )
    winners = cell_winners(results).set_index("cell")
    assert winners["winner"].to_dict() == {
        "E003": "Logistic",
        "E004": "AttentiveChrome",
        "E005": "Logistic",
    }
    assert winners.loc["E003", "runner_up"] == "AttentiveChrome"
    assert winners.loc["E003", "margin"] == pytest.approx(0.02)
    assert winners.loc["E004", "margin"] == 0
    assert pd.isna(winners.loc["E005", "runner_up"])
    assert np.isnan(winners.loc["E005", "margin"])


def test_summary_counts_best_cells_and_wins_over_each_baseline():
    results = pd.DataFrame(
        {
            "cell": ["E003"] * 3 + ["E004"] * 3,
            "model": ["AttentiveChrome", "DeepChrome", "Logistic"] * 2,
            "test_auc": [0.81, 0.80, 0.83, 0.88, 0.85, 0.84],
            "status": ["ok"] * 6,
        }
    )
    summary = summarize_results(results).set_index("model")
    assert summary["best_in"].to_dict() == {
        "AttentiveChrome": 1,
        "DeepChrome": 0,
        "Logistic": 1,
    }
    assert summary.loc["AttentiveChrome", "beats_DeepChrome"] == 2
    assert summary.loc["AttentiveChrome", "beats_Logistic"] == 1
    assert summary.loc["DeepChrome", "beats_Logistic"] == 1
    assert pd.isna(summary.loc["Logistic", "beats_Logistic"])


def test_regression_task_scores_the_simulated_expression():
    source = DataSource("simulated", n_genes=300, n_bins=10)
    splits = source.load("SIM01")
    _, y, expression = make_chromatin_data(
        n_genes=300,
        n_bins=10,
        random_state=SIMULATED_CELLS["SIM01"].seed,
        label_noise=SIMULATED_CELLS["SIM01"].label_noise,
        genomic_order=True,
        return_expression=True,
    )
    np.testing.assert_array_equal(splits["test"].expression, expression[200:])
    np.testing.assert_array_equal(splits["test"].target, y[200:])
    result = run_task(StudyTask("SIM01", "ridge", source, task="regression"))
    record = result.record
    assert list(record) == list(RESULT_COLUMNS["regression"])
    ridge = ChromeRidgeRegressor().fit(splits["train"].data, expression[:100])
    predicted = ridge.predict(splits["test"].data)
    assert record["test_pearson"] == pytest.approx(
        np.corrcoef(predicted, expression[200:])[0, 1]
    )
    assert record["test_r2"] == pytest.approx(
        ridge.score(splits["test"].data, expression[200:])
    )
    assert record["best_valid_r2"] == pytest.approx(
        ridge.score(splits["valid"].data, expression[100:200])
    )
    neural = run_task(
        StudyTask("SIM01", "attentivechrome", source, max_epochs=2, task="regression")
    ).record
    assert neural["status"] == "ok" and neural["epochs"] <= 2
    assert neural["best_valid_r2"] is not None


def test_regression_of_labels_only_data_says_what_is_missing(tmp_path):
    folder = tmp_path / "E001" / "classification"
    folder.mkdir(parents=True)
    X, y = make_chromatin_data(n_genes=6, n_bins=4, random_state=0)
    rows = [
        f"{gene},{bin_id},{','.join(map(str, X[gene, bin_id - 1].astype(int)))},"
        f"{y[gene]}"
        for gene in range(6)
        for bin_id in range(1, 5)
    ]
    for subset in ("train", "valid", "test"):
        (folder / f"{subset}.csv").write_text("\n".join(rows) + "\n")
    source = DataSource("folder", path=str(tmp_path))
    record = run_task(StudyTask("E001", "ridge", source, task="regression")).record
    assert record["status"] == "failed"
    assert "Regression needs expression values" in record["error"]
    table = tmp_path / "expression.csv"
    table.write_text(
        "gene_id,E001_rpkm\n" + "".join(f"{g:06d},{g}\n" for g in range(5))
    )
    with_table = DataSource(
        "folder",
        path=str(tmp_path),
        expression=str(table),
        expression_column="{cell}_rpkm",
        log1p=True,
    )
    with pytest.raises(ValueError, match="1 of 6 genes have no numeric value"):
        with_table.load("E001")


def test_read_expression_matches_ids_and_names_missing_columns(tmp_path):
    table = tmp_path / "expression.csv"
    table.write_text("gene_id,E003,note\n000003,4.0,a\n5,0.5,b\nENSG1,2.0,c\n")
    np.testing.assert_array_equal(
        read_expression(table, "E003", ["ENSG1", "003", "5"]), [2.0, 4.0, 0.5]
    )
    np.testing.assert_allclose(
        read_expression(table, "E003", ["3"], log1p=True), [np.log1p(4.0)]
    )
    with pytest.raises(ValueError, match="no column 'E004'; it has E003, note"):
        read_expression(table, "E004", ["3"])
    with pytest.raises(ValueError, match="1 of 1 genes have no numeric value"):
        read_expression(table, "note", ["3"])


def test_regression_summary_ranks_by_pearson_r_against_ridge():
    results = pd.DataFrame(
        {
            "cell": ["E003", "E004"] * 3,
            "model": ["AttentiveChrome"] * 2 + ["DeepChrome"] * 2 + ["Ridge"] * 2,
            "test_pearson": [0.71, 0.64, 0.60, 0.66, 0.70, 0.62],
            "status": ["ok"] * 6,
        }
    )
    summary = summarize_results(results, task="regression").set_index("model")
    assert summary.loc["AttentiveChrome", "mean_pearson"] == pytest.approx(0.675)
    assert summary.loc["AttentiveChrome", "beats_Ridge"] == 2
    assert summary.loc["Ridge", "beats_DeepChrome"] == 1
    winners = cell_winners(results, task="regression")
    assert winners["winner"].tolist() == ["AttentiveChrome", "DeepChrome"]
    assert winners["test_pearson"].tolist() == [0.71, 0.66]


def test_chromosome_split_shares_no_chromosome_between_splits(test_data):
    genes = pd.read_csv(test_data / "deepdiff" / "genes.csv", dtype={"gene_id": str})
    source = DataSource(
        "folder",
        path=str(test_data / "deepdiff"),
        expression=str(test_data / "deepdiff" / "genes.csv"),
        expression_column="{cell}_rpkm",
        log1p=True,
        split="chromosomes",
        chromosomes=str(test_data / "deepdiff" / "genes.csv"),
    )
    splits = source.load("E123")
    sizes = [len(splits[subset].target) for subset in ("train", "valid", "test")]
    assert sum(sizes) == len(genes) and max(sizes) - min(sizes) <= 2
    by_gene = genes.set_index("gene_id")
    for subset, split in splits.items():
        ids = [gene.zfill(6) for gene in split.gene_ids]
        np.testing.assert_array_equal(split.chromosomes, by_gene.loc[ids, "chrom"])
        np.testing.assert_allclose(
            split.expression, np.log1p(by_gene.loc[ids, "E123_rpkm"])
        )
        np.testing.assert_array_equal(split.target, by_gene.loc[ids, "E123_label"])
        others = [other for other in splits if other != subset]
        for other in others:
            assert not set(split.chromosomes) & set(splits[other].chromosomes)


def test_chromosome_split_needs_chromosomes(tmp_path):
    with pytest.raises(ValueError, match="needs the chromosome of each gene"):
        DataSource("folder", path=str(tmp_path), split="chromosomes")
    with pytest.raises(ValueError, match="split must be one of"):
        DataSource("folder", path=str(tmp_path), split="random")
    table = tmp_path / "chromosomes.csv"
    table.write_text("gene_id,chrom\n000003,chr1\n")
    with pytest.raises(ValueError, match=r"1 of 2 genes have no chromosome .*\['7'\]"):
        read_chromosomes(table, ["3", "7"])
    bed = tmp_path / "genes.bed"
    bed.write_text("chr2\t10\t90\tENSG1\t0\t+\nchr5\t10\t90\t000003\t0\t-\n")
    assert read_chromosomes(bed, ["3", "ENSG1"]).tolist() == ["chr5", "chr2"]


def test_a_dask_scheduler_without_distributed_asks_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)
    with (
        pytest.raises(ImportError, match=r"dask\.distributed; .*skattchrome\[dask\]"),
        _runner._task_runner(1, "local"),
    ):
        pass


def test_study_figures_without_matplotlib_ask_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    results = pd.DataFrame(
        {"cell": ["SIM01"], "model": ["lstm"], "status": ["ok"], "auroc": [0.5]}
    )
    with pytest.raises(ImportError, match=r"matplotlib; .*skattchrome\[plot\]"):
        _figures.test_score_figure(results, "auroc")


def test_a_scheduler_that_is_no_address_fails_naming_it(tmp_path):
    pytest.importorskip("distributed")
    task = StudyTask("SIM01", "logistic", DataSource("simulated", n_genes=30))
    out = tmp_path / "out"
    with pytest.raises(OSError, match="Cannot connect to a Dask scheduler at 'HOST'"):
        run_study([task], out, scheduler="HOST")
    assert not out.exists()


def test_the_expression_column_takes_only_the_cell_placeholder(tmp_path):
    assert expression_column("{cell}_rpkm", "E003") == "E003_rpkm"
    assert expression_column("{{x}}{cell:>5}", "E003") == "{x} E003"
    for template in ("{cells}", "{0}", "{}", "{cell.upper}", "{", "{cell:{x}}"):
        with pytest.raises(ValueError, match=re.escape(repr(template))):
            expression_column(template, "E003")
        with pytest.raises(ValueError, match="only placeholder"):
            DataSource(
                "folder",
                path=str(tmp_path),
                expression=str(tmp_path / "t.csv"),
                expression_column=template,
            )


def test_tables_that_are_not_csv_are_named(tmp_path):
    empty, binary = tmp_path / "empty.csv", tmp_path / "binary.csv"
    empty.write_bytes(b"")
    binary.write_bytes(bytes(range(128, 256)) * 4)
    for path in (empty, binary):
        with pytest.raises(ValueError, match=rf"{re.escape(str(path))} cannot be read"):
            read_expression(path, "E003", ["1"])
        with pytest.raises(ValueError, match=rf"{re.escape(str(path))} cannot be read"):
            read_chromosomes(path, ["1"])


def test_read_expression_refuses_rows_of_one_gene_that_disagree(tmp_path):
    # The first row counted: a gene listed twice with different values (or as
    # 000003 and 3) silently got one of them.
    table = tmp_path / "expression.csv"
    table.write_text("gene_id,E003\n000003,4.0\n3,9.0\n5,0.5\n5,0.5\n7,1.0\n7,2.0\n")
    with pytest.raises(
        ValueError, match=r"expression.csv gives 1 gene\(s\) different values.*'3'"
    ):
        read_expression(table, "E003", ["3", "5"])
    # Rows that agree, and disagreeing rows of genes not asked for, are fine.
    np.testing.assert_array_equal(read_expression(table, "E003", ["5"]), [0.5])
