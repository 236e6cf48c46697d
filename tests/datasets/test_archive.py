"""Tests of fetch_remc and cell_types against a real HTTP server on 127.0.0.1."""

import hashlib
import io
import os
import socket
import sys
import tarfile
import time

import numpy as np
import pytest

import skattchrome.datasets._archive as archive_module
from skattchrome.datasets import cell_types, fetch_remc, load_remc
from skattchrome.datasets._archive import URL_VARIABLE

SPLITS = ("train", "valid", "test")


def _csv(gene_ids, label_seed):
    rng = np.random.default_rng(label_seed)
    lines = []
    for gene in gene_ids:
        label = int(rng.integers(0, 2))
        for bin_id in range(1, 101):
            counts = ",".join(map(str, rng.integers(0, 15, size=5)))
            lines.append(f"{gene},{bin_id},{counts},{label}\n")
    return "".join(lines).encode()


def _archive(layout, root="data"):
    """gzip tar with ``root/<cell type>/classification/<split>.csv`` members."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for seed, (cell_type, splits) in enumerate(layout.items()):
            for index, split in enumerate(splits):
                data = _csv([f"{index:06d}", f"{index + 10}"], label_seed=seed)
                member = tarfile.TarInfo(
                    f"{root}/{cell_type}/classification/{split}.csv"
                )
                member.size = len(data)
                tar.addfile(member, io.BytesIO(data))
    return buffer.getvalue()


@pytest.fixture
def server(http_server, monkeypatch):
    """The local HTTP server of conftest.py, serving an archive of E003 and E123."""
    http_server.payload = _archive({"E003": SPLITS, "E123": SPLITS})
    monkeypatch.setenv(URL_VARIABLE, http_server.url)
    return http_server


@pytest.fixture
def no_retry_delay(monkeypatch):
    """Keep the download's retries but not its waits between them."""
    monkeypatch.setattr(archive_module, "_BACKOFF_SECONDS", 0)


@pytest.fixture
def home(tmp_path):
    return tmp_path / "sklearn_data"


def _assert_empty(home):
    assert sorted(path.name for path in home.iterdir()) == []


def test_download_then_cache_hit(server, home):
    remc = fetch_remc("E123", "test", data_home=home)
    assert server.requests == 1
    assert sorted(path.name for path in home.iterdir()) == ["remc"]
    assert sorted(path.name for path in (home / "remc").iterdir()) == ["E003", "E123"]
    expected = load_remc(home / "remc" / "E123", "test")
    np.testing.assert_array_equal(remc.data, expected.data)
    assert remc.data.shape == (2, 100, 5)
    assert remc.gene_ids.tolist() == ["000002", "12"]
    assert "cell type E123 (K562 Leukemia Cells), test split" in remc.DESCR

    server.stop()
    X, y = fetch_remc("E003", "train", data_home=home, return_X_y=True)
    assert X.shape == (2, 100, 5)
    assert y.dtype == np.int64
    assert server.requests == 1


def test_the_cache_has_the_permissions_of_the_umask(server, home, umask):
    fetch_remc("E123", "test", data_home=home)
    cache = home / "remc"
    assert (cache.stat().st_mode & 0o777) == 0o777 & ~umask
    csv = cache / "E123" / "classification" / "test.csv"
    assert (csv.stat().st_mode & 0o777) == 0o666 & ~umask


def test_scikit_learn_data_variable_is_honoured(server, tmp_path, monkeypatch):
    monkeypatch.setenv("SCIKIT_LEARN_DATA", str(tmp_path / "from_env"))
    fetch_remc("E003", "valid")
    assert (tmp_path / "from_env" / "remc" / "E003" / "classification").is_dir()
    fetch_remc("E003", "test", data_home=tmp_path / "explicit")
    assert (tmp_path / "explicit" / "remc" / "E123").is_dir()
    assert server.requests == 2


def test_top_folder_is_found_not_assumed(server, home):
    server.payload = _archive({"E003": SPLITS}, root="release/v1/remc_data")
    assert fetch_remc("E003", "train", data_home=home).data.shape == (2, 100, 5)


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (b"this is not a gzip file", "is corrupt"),
        ("truncated", "is corrupt"),
        ("no_layout", "holds no E###/classification"),
        ("missing_split", "lacks splits of E123"),
    ],
)
def test_bad_archive_leaves_no_cache(server, home, payload, message):
    if payload == "truncated":
        server.payload = server.payload[: len(server.payload) // 2]
    elif payload == "no_layout":
        server.payload = _archive({"notes": SPLITS})
    elif payload == "missing_split":
        server.payload = _archive({"E003": SPLITS, "E123": ("train", "test")})
    else:
        server.payload = payload
    with pytest.raises(OSError, match=message):
        fetch_remc("E003", data_home=home)
    _assert_empty(home)
    with pytest.raises(FileNotFoundError, match=r"not in .* download_if_missing"):
        fetch_remc("E003", data_home=home, download_if_missing=False)


def test_interrupted_download_leaves_no_cache(server, home, no_retry_delay):
    server.announced = len(server.payload)
    server.payload = server.payload[:100]
    with pytest.raises(
        OSError,
        match=r"Download of .* failed after 3 attempts: .*got only 100 out of \d+ "
        "bytes",
    ):
        fetch_remc("E003", data_home=home)
    assert server.requests == 3  # a dropped connection is retried
    _assert_empty(home)


def test_download_removes_stale_temporaries_of_killed_installs(server, home):
    # What a killed install leaves behind: its staging folder, here with a
    # partial download and a partly extracted cell type, untouched for two
    # days; and the folder of an install running right now, left alone.
    stale = home / ".remc-download-killed"
    (stale / "E003" / "classification").mkdir(parents=True)
    (stale / "data.tar.gz.part_x").write_bytes(b"partial")
    two_days_ago = time.time() - 2 * 24 * 3600
    os.utime(stale, (two_days_ago, two_days_ago))
    running = home / ".remc-download-running"
    running.mkdir()
    (running / "data.tar.gz.part_y").write_bytes(b"partial")
    fetch_remc("E003", data_home=home)
    assert sorted(path.name for path in home.iterdir()) == [
        ".remc-download-running",
        "remc",
    ]


def test_http_error_leaves_no_cache(server, home):
    server.status = 404
    with pytest.raises(OSError, match=r"Download of .* failed: HTTP 404 Not Found"):
        fetch_remc("E003", data_home=home)
    assert server.requests == 1  # a client error is not retried
    _assert_empty(home)


def test_sha256_is_verified(server, tmp_path):
    sha256 = hashlib.sha256(server.payload).hexdigest()
    wrong = hashlib.sha256(b"another archive").hexdigest()
    bad_home = tmp_path / "bad"
    with pytest.raises(
        OSError,
        match=rf"Download of .* failed: .*SHA256.*\({sha256}\) differs from "
        rf"expected \({wrong}\)",
    ):
        fetch_remc("E003", data_home=bad_home, sha256=wrong)
    _assert_empty(bad_home)
    good = fetch_remc("E003", data_home=tmp_path / "good", sha256=sha256)
    assert good.data.shape == (2, 100, 5)
    assert server.requests == 2


@pytest.mark.parametrize(
    ("progress", "tty", "printed"),
    [
        (True, False, True),
        (None, True, True),
        (None, False, False),
        (False, True, False),
    ],
)
def test_progress_prints_one_line_before_the_download(
    server, home, capsys, monkeypatch, progress, tty, printed
):
    monkeypatch.setattr(sys.stderr, "isatty", lambda: tty)
    fetch_remc("E003", data_home=home, progress=progress)
    out, err = capsys.readouterr()
    assert out == ""
    expected = "Downloading the AttentiveChrome archive (56 cell types, roughly "
    if printed:
        assert err.count("\n") == 1
        assert err.startswith(expected)
        assert f"from {server.url} into {home / 'remc'};" in err
    else:
        assert err == ""
    fetch_remc("E003", data_home=home, progress=True)
    assert capsys.readouterr().err == ""  # a cache hit downloads nothing


def test_unknown_cell_type_and_subset(server, home):
    with pytest.raises(ValueError, match=r"Unknown cell type 'E001'.*E003, E004.*E128"):
        fetch_remc("E001", data_home=home)
    with pytest.raises(ValueError, match="subset must be one of"):
        fetch_remc("E003", "all", data_home=home)
    assert server.requests == 0


def test_download_if_missing_false(server, home):
    with pytest.raises(FileNotFoundError, match="download_if_missing is False"):
        fetch_remc("E003", data_home=home, download_if_missing=False)
    assert server.requests == 0
    _assert_empty(home)


def test_cached_archive_without_the_cell_type(server, home):
    fetch_remc("E003", data_home=home)
    with pytest.raises(FileNotFoundError, match="has no cell type E004"):
        fetch_remc("E004", data_home=home)
    assert server.requests == 1


def test_cell_types():
    table = cell_types()
    assert table.columns.tolist() == ["cell_type", "name"]
    assert len(table) == 56
    assert table["cell_type"].is_unique
    assert table["cell_type"].is_monotonic_increasing
    assert table["cell_type"].str.fullmatch(r"E\d{3}").all()
    names = table.set_index("cell_type")["name"]
    assert names["E003"] == "H1 Cells"
    assert names["E116"] == "GM12878 Lymphoblastoid Cells"
    assert names["E123"] == "K562 Leukemia Cells"
    assert table["cell_type"].iloc[[0, -1]].tolist() == ["E003", "E128"]


def test_local_copy_is_read_in_place_and_checked(tmp_path, monkeypatch):
    local = tmp_path / "mirror" / "data.tar.gz"
    local.parent.mkdir()
    local.write_bytes(_archive({"E003": SPLITS}))
    monkeypatch.setenv(URL_VARIABLE, local.as_uri())
    wrong = hashlib.sha256(b"another archive").hexdigest()
    with pytest.raises(OSError, match=rf"SHA256 .* differs from expected \({wrong}\)"):
        fetch_remc("E003", data_home=tmp_path / "bad", sha256=wrong)
    _assert_empty(tmp_path / "bad")
    sha256 = hashlib.sha256(local.read_bytes()).hexdigest()
    remc = fetch_remc("E003", "valid", data_home=tmp_path / "home", sha256=sha256)
    assert remc.data.shape == (2, 100, 5)
    assert local.is_file()
    monkeypatch.setenv(URL_VARIABLE, (tmp_path / "missing.tar.gz").as_uri())
    with pytest.raises(OSError, match=r"missing\.tar\.gz is not a file"):
        fetch_remc("E003", data_home=tmp_path / "none")


def test_a_silent_server_times_out(tmp_path, monkeypatch, no_retry_delay):
    silent = socket.create_server(("127.0.0.1", 0))
    monkeypatch.setenv(URL_VARIABLE, f"http://127.0.0.1:{silent.getsockname()[1]}/a")
    monkeypatch.setattr(archive_module, "_TIMEOUT_SECONDS", 0.2)
    before = socket.getdefaulttimeout()
    with (
        silent,
        pytest.raises(
            OSError, match=r"Download of .* failed after 3 attempts: .*timed out"
        ),
    ):
        fetch_remc("E003", data_home=tmp_path / "home")
    assert socket.getdefaulttimeout() == before
    _assert_empty(tmp_path / "home")


@pytest.mark.parametrize("flag", ["download_if_missing", "return_X_y"])
def test_flags_must_be_bools(tmp_path, flag):
    # "no" is true to Python: download_if_missing="no" would download.
    with pytest.raises(ValueError, match=f"^{flag} must be True or False"):
        fetch_remc("E003", data_home=tmp_path, **{flag: "no"})
