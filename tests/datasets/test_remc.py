"""Tests of load_remc: the published AttentiveChrome/DeepChrome CSV layout."""

import gzip
import re

import numpy as np
import pandas as pd
import pytest

from skattchrome.datasets import REFERENCE_MARKS, bin_offsets, load_remc


def _rows(gene_ids, n_bins=4, labels=None, seed=0):
    """Rows of a valid file: gene ``i`` has label ``labels[i]`` and counts."""
    rng = np.random.default_rng(seed)
    labels = [i % 2 for i in range(len(gene_ids))] if labels is None else labels
    rows = []
    for gene, label in zip(gene_ids, labels, strict=True):
        for bin_id in range(1, n_bins + 1):
            counts = rng.integers(0, 20, size=len(REFERENCE_MARKS))
            rows.append([gene, bin_id, *counts.tolist(), label])
    return rows


def _write(path, rows):
    path.write_text("".join(",".join(map(str, row)) + "\n" for row in rows))
    return path


@pytest.fixture
def csv_file(tmp_path):
    return _write(tmp_path / "train.csv", _rows(["000003", "000005", "3"]))


def test_load_file_values_and_metadata(csv_file):
    remc = load_remc(csv_file)
    table = pd.read_csv(csv_file, header=None, dtype={0: str})
    assert remc.data.dtype == np.float32
    assert remc.data.shape == (3, 4, 5)
    np.testing.assert_array_equal(
        remc.data.reshape(-1, 5), table.iloc[:, 2:7].to_numpy(np.float32)
    )
    assert remc.target.dtype == np.int64
    np.testing.assert_array_equal(remc.target, [0, 1, 0])
    assert remc.gene_ids.tolist() == ["000003", "000005", "3"]
    assert remc.mark_names == list(REFERENCE_MARKS)
    np.testing.assert_array_equal(remc.bin_offsets, bin_offsets(4))
    assert str(csv_file) in remc.DESCR
    assert "3 genes x 4 bins x 5 marks" in remc.DESCR
    assert "1 high (1), 2 low (0)" in remc.DESCR


def test_return_X_y(csv_file):
    X, y = load_remc(csv_file, return_X_y=True)
    remc = load_remc(csv_file)
    np.testing.assert_array_equal(X, remc.data)
    np.testing.assert_array_equal(y, remc.target)


def test_number_of_bins_is_read_from_the_file(tmp_path):
    path = _write(tmp_path / "wide.csv", _rows(["a", "b"], n_bins=200))
    remc = load_remc(path)
    assert remc.data.shape == (2, 200, 5)
    np.testing.assert_array_equal(remc.bin_offsets, bin_offsets(200))


def test_folder_with_subset(tmp_path):
    folder = tmp_path / "E003"
    (folder / "classification").mkdir(parents=True)
    for seed, subset in enumerate(["train", "valid", "test"]):
        rows = _rows([f"{subset}{i}" for i in range(2)], seed=seed)
        _write(folder / "classification" / f"{subset}.csv", rows)
    remc = load_remc(folder, "valid")
    assert remc.gene_ids.tolist() == ["valid0", "valid1"]
    with pytest.raises(ValueError, match=r"is a folder.*'train', 'valid', 'test'"):
        load_remc(folder)
    with pytest.raises(ValueError, match="subset must be one of"):
        load_remc(folder, "training")


def test_missing_files(tmp_path, csv_file):
    with pytest.raises(FileNotFoundError, match=r"nothere\.csv"):
        load_remc(tmp_path / "nothere.csv")
    (tmp_path / "E999").mkdir()
    with pytest.raises(FileNotFoundError, match=r"No test split in .*E999"):
        load_remc(tmp_path / "E999", "test")
    with pytest.raises(ValueError, match="applies to a cell-type folder"):
        load_remc(csv_file, "train")


def test_trailing_blank_lines_are_ignored(tmp_path):
    path = _write(tmp_path / "blank.csv", _rows(["g1", "g2"]))
    path.write_text(path.read_text() + "\n\n")
    assert load_remc(path).data.shape == (2, 4, 5)


def _corrupt(tmp_path, row, column, value, gene_ids=("g1", "g2", "g3")):
    """Write a valid file, then set one field (0-based row and column)."""
    rows = _rows(list(gene_ids))
    rows[row][column] = value
    return _write(tmp_path / "bad.csv", rows)


@pytest.mark.parametrize(
    ("row", "column", "value", "message"),
    [
        (5, 2, "abc", r"line 6, gene 'g2': non-numeric H3K27me3 'abc'"),
        (9, 4, "", r"line 10, gene 'g3': missing value in H3K4me1"),
        (2, 5, "nan", r"line 3, gene 'g1': non-numeric H3K4me3 'nan'"),
        (7, 6, "inf", r"line 8, gene 'g2': missing or infinite value in H3K9me3"),
        (
            7,
            4,
            "1e40",
            r"line 8, gene 'g2': count 1e\+40 for H3K4me1 is beyond the float32 range",
        ),
        (3, 3, "-2", r"line 4, gene 'g1': negative count -2 for H3K36me3"),
        (4, 7, "2", r"line 5, gene 'g2': label 2 is not 0 or 1"),
        (6, 7, "0", r"line 7, gene 'g2': label changes inside the gene"),
        (6, 1, "4", r"line 7, gene 'g2': BinID 4 where 3 was expected"),
        (0, 1, "0", r"line 1, gene 'g1': BinID 0 where 1 was expected"),
        (8, 0, "", r"line 9, gene '': missing value in GeneID"),
    ],
)
def test_malformed_values(tmp_path, row, column, value, message):
    path = _corrupt(tmp_path, row, column, value)
    with pytest.raises(ValueError, match=re.escape(str(path)) + ", " + message):
        load_remc(path)


def test_gene_with_another_number_of_bins(tmp_path):
    rows = _rows(["g1", "g2", "g3"])
    del rows[7]
    path = _write(tmp_path / "short.csv", rows)
    with pytest.raises(ValueError, match="line 5, gene 'g2': 3 bins, but the other"):
        load_remc(path)
    rows = _rows(["g1", "g2", "g3"])
    rows.insert(4, ["g1", 5, 0, 0, 0, 0, 0, 0])
    path = _write(tmp_path / "long.csv", rows)
    with pytest.raises(ValueError, match="line 1, gene 'g1': 5 bins, but the other"):
        load_remc(path)


def test_gene_in_two_separate_blocks(tmp_path):
    path = _write(tmp_path / "split.csv", _rows(["g1", "g2", "g1"], labels=[1, 0, 1]))
    with pytest.raises(
        ValueError, match="line 9, gene 'g1': the gene already appeared at line 1"
    ):
        load_remc(path)


def test_wrong_column_count(tmp_path):
    rows = [row[:-1] for row in _rows(["g1"])]
    path = _write(tmp_path / "seven.csv", rows)
    with pytest.raises(ValueError, match=r"line 1: expected 8 columns .* found 7"):
        load_remc(path)
    rows = _rows(["g1", "g2"])
    rows[5].append(3)
    path = _write(tmp_path / "nine.csv", rows)
    with pytest.raises(ValueError, match=r"nine.csv: .*Expected 8 fields in line 6"):
        load_remc(path)
    rows = _rows(["g1", "g2"])
    rows[2] = rows[2][:5]
    path = _write(tmp_path / "short_row.csv", rows)
    with pytest.raises(
        ValueError, match=r"line 3, gene 'g1': missing value in H3K4me3"
    ):
        load_remc(path)


def test_header_line_is_reported(tmp_path):
    path = tmp_path / "header.csv"
    path.write_text(
        "GeneID,BinID,H3K27me3,H3K36me3,H3K4me1,H3K4me3,H3K9me3,Label\n"
        + "".join(",".join(map(str, row)) + "\n" for row in _rows(["g1"]))
    )
    with pytest.raises(ValueError, match="line 1, gene 'GeneID': non-numeric BinID"):
        load_remc(path)


@pytest.mark.parametrize("content", ["", "\n\n"])
def test_empty_file(tmp_path, content):
    path = tmp_path / "empty.csv"
    path.write_text(content)
    with pytest.raises(ValueError, match=r"empty\.csv: the file is empty"):
        load_remc(path)


@pytest.mark.parametrize(("cell_type", "first_id"), [("E003", "000003"), ("E123", "3")])
def test_reference_archive_layout(test_data, cell_type, first_id):
    folder = test_data / "remc" / cell_type
    for subset in ["train", "valid", "test"]:
        remc = load_remc(folder, subset)
        table = pd.read_csv(
            folder / "classification" / f"{subset}.csv", header=None, dtype={0: str}
        )
        assert remc.data.shape == (10, 100, 5)
        np.testing.assert_array_equal(
            remc.data.reshape(-1, 5), table.iloc[:, 2:7].to_numpy(np.float32)
        )
        np.testing.assert_array_equal(remc.gene_ids, table[0].to_numpy()[::100])
        np.testing.assert_array_equal(remc.target, table[7].to_numpy()[::100])
        assert set(remc.target) == {0, 1}
    assert load_remc(folder, "train").gene_ids[0] == first_id


def test_reference_e003_test_split_is_unbalanced(test_data):
    y = load_remc(test_data / "remc" / "E003", "test").target
    assert (y == 1).sum() == 3
    assert (y == 0).sum() == 7


def test_reference_chromoformer_remc_format(test_data):
    path = test_data / "chromoformer_e003" / "remc_format.csv"
    remc = load_remc(path)
    genes = pd.read_csv(test_data / "chromoformer_e003" / "genes.csv")
    table = pd.read_csv(path, header=None, dtype={0: str})
    assert remc.data.shape == (100, 100, 5)
    np.testing.assert_array_equal(
        remc.data.reshape(-1, 5), table.iloc[:, 2:7].to_numpy(np.float32)
    )
    assert remc.gene_ids.tolist() == genes["gene_id"].tolist()
    np.testing.assert_array_equal(remc.target, genes["label"].to_numpy())
    assert remc.target.sum() == 47


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"000001,1,0,0,0,0,0,1\n" * 2, "gzip-compressed"),
        ("g\xe9ne,1,0,0,0,0,0,1\n".encode("latin-1"), "bytes that are not UTF-8"),
    ],
    ids=["gzip", "latin-1"],
)
def test_a_file_that_is_not_utf8_text_is_named(tmp_path, content, problem):
    # A UnicodeDecodeError from pandas named neither the file nor the problem.
    if problem == "gzip-compressed":
        content = gzip.compress(content)
    path = tmp_path / "train.csv"
    path.write_bytes(content)
    with pytest.raises(ValueError, match=f"^{re.escape(str(path))}: .*{problem}"):
        load_remc(path)


@pytest.mark.parametrize(
    ("path", "error", "message"),
    [
        ("", ValueError, "path is empty"),
        (None, TypeError, "path must be the path of a CSV file"),
        (3, TypeError, "path must be the path of a CSV file"),
    ],
)
def test_an_empty_or_wrongly_typed_path_is_named(path, error, message):
    # "" was the current folder, and None a TypeError of pathlib.
    with pytest.raises(error, match=f"^{message}"):
        load_remc(path)


def test_return_X_y_must_be_a_bool(csv_file):
    with pytest.raises(ValueError, match=r"^return_X_y must be True or False"):
        load_remc(csv_file, return_X_y="no")
