"""The study runner behind ``skattchrome benchmark``."""

import zlib

import numpy as np
import pandas as pd
import pytest
import torch

from skattchrome._study import (
    DataSource,
    StudyTask,
    cell_winners,
    run_task,
    summarize_results,
    task_seed,
)


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
