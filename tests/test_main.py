"""The command line."""

import subprocess
import sys

from skattchrome.__main__ import main


def test_main_reports_auc_and_mark_attention(capsys):
    assert main(["--genes", "150", "--bins", "10", "--max-epochs", "2"]) == 0
    output = capsys.readouterr().out
    assert "Test ROC AUC:" in output
    assert "valid_auc" in output
    for mark in ("H3K27me3", "H3K36me3", "H3K4me1", "H3K4me3", "H3K9me3"):
        assert mark in output


def test_python_dash_m_runs():
    result = subprocess.run(
        [sys.executable, "-m", "skattchrome", "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "--max-epochs" in result.stdout
