"""Tests of the package's downloader against a real HTTP server on 127.0.0.1."""

import hashlib
import re
import socket
import stat
import types

import pytest

import skattchrome._download as download_module
from skattchrome._download import download, file_digest, local_file
from skattchrome._version import __version__

PAYLOAD = bytes(range(256)) * 64


@pytest.fixture
def server(http_server):
    """The local HTTP server of conftest.py, serving :data:`PAYLOAD`."""
    http_server.payload = PAYLOAD
    return http_server


@pytest.fixture
def folder(tmp_path):
    """An empty folder for the downloads, apart from any other file of the test."""
    path = tmp_path / "downloads"
    path.mkdir()
    return path


@pytest.fixture
def sleeps(monkeypatch):
    """The back-off waits of the downloader, recorded instead of slept."""
    waits = []
    monkeypatch.setattr(
        download_module, "time", types.SimpleNamespace(sleep=waits.append)
    )
    return waits


def _names(folder):
    return sorted(path.name for path in folder.iterdir())


def test_download_writes_the_file_and_names_the_package(server, folder):
    target = download(server.url, str(folder / "file.bin"))
    assert target == folder / "file.bin"
    assert target.read_bytes() == PAYLOAD
    assert _names(folder) == ["file.bin"]
    assert server.requests == 1
    assert server.user_agents[0].startswith(f"skattchrome/{__version__}")


def test_download_replaces_an_existing_file(server, folder):
    (folder / "file.bin").write_bytes(b"old")
    download(server.url, folder / "file.bin")
    assert (folder / "file.bin").read_bytes() == PAYLOAD
    assert _names(folder) == ["file.bin"]


@pytest.mark.parametrize(("status", "reason"), [(404, "Not Found"), (410, "Gone")])
def test_client_error_fails_at_once(server, folder, sleeps, status, reason):
    server.status = status
    message = f"Download of {server.url} failed: HTTP {status} {reason}"
    with pytest.raises(OSError, match=f"^{re.escape(message)}$"):
        download(server.url, folder / "file.bin", attempts=3, backoff=0)
    assert server.requests == 1
    assert sleeps == []
    assert _names(folder) == []


@pytest.mark.parametrize("status", [500, 503, 408, 429])
def test_transient_error_is_retried(server, folder, sleeps, status):
    server.script = [status]
    download(server.url, folder / "file.bin", attempts=3, backoff=0.5)
    assert server.requests == 2
    assert sleeps == [0.5]
    assert (folder / "file.bin").read_bytes() == PAYLOAD
    assert _names(folder) == ["file.bin"]


@pytest.mark.parametrize("attempts", [1, 3])
def test_transient_errors_fail_after_all_attempts(server, folder, sleeps, attempts):
    server.status = 503
    message = (
        f"Download of {server.url} failed after {attempts} attempt"
        f"{'s' if attempts > 1 else ''}: HTTP 503 Service Unavailable"
    )
    with pytest.raises(OSError, match=f"^{re.escape(message)}$"):
        download(server.url, folder / "file.bin", attempts=attempts, backoff=0.25)
    assert server.requests == attempts
    assert sleeps == [0.25, 0.5][: attempts - 1]
    assert _names(folder) == []


def test_a_failed_download_leaves_an_existing_file_alone(server, folder):
    (folder / "file.bin").write_bytes(b"old")
    server.status = 503
    with pytest.raises(OSError, match="failed after 2 attempts"):
        download(server.url, folder / "file.bin", attempts=2, backoff=0)
    wrong = ("sha256", hashlib.sha256(b"another file").hexdigest())
    server.status = 200
    with pytest.raises(OSError, match="differs from expected"):
        download(server.url, folder / "file.bin", digest=wrong)
    assert (folder / "file.bin").read_bytes() == b"old"
    assert _names(folder) == ["file.bin"]


@pytest.mark.parametrize("stall", ["stall", "stall_body"])
def test_a_stalled_server_times_out_and_is_retried(server, folder, stall):
    server.script = [stall]
    download(server.url, folder / "file.bin", timeout=0.2, backoff=0)
    assert server.requests == 2
    assert (folder / "file.bin").read_bytes() == PAYLOAD
    assert _names(folder) == ["file.bin"]


def test_a_server_that_always_stalls_fails_after_all_attempts(server, folder):
    server.status = "stall"
    with pytest.raises(
        OSError,
        match=rf"^Download of {re.escape(server.url)} failed after 2 attempts: "
        ".*timed out",
    ):
        download(server.url, folder / "file.bin", timeout=0.2, attempts=2, backoff=0)
    assert server.requests == 2
    assert _names(folder) == []


def test_a_refused_connection_is_retried(folder, sleeps):
    with socket.create_server(("127.0.0.1", 0)) as closed:
        url = f"http://127.0.0.1:{closed.getsockname()[1]}/file"
    with pytest.raises(
        OSError, match=rf"^Download of {re.escape(url)} failed after 2 attempts: .*"
    ):
        download(url, folder / "file.bin", attempts=2, backoff=0.5)
    assert sleeps == [0.5]
    assert _names(folder) == []


@pytest.mark.parametrize("default", [None, 7.5])
def test_the_default_socket_timeout_is_left_alone(server, folder, default):
    previous = socket.getdefaulttimeout()
    socket.setdefaulttimeout(default)
    try:
        download(server.url, folder / "file.bin", timeout=5)
        # As the server's handler thread saw it while the download waited.
        assert server.default_timeouts == [default]
        assert socket.getdefaulttimeout() == default
    finally:
        socket.setdefaulttimeout(previous)


@pytest.mark.parametrize("algorithm", ["md5", "sha256"])
def test_digest_is_verified(server, folder, algorithm):
    computed = hashlib.new(algorithm, PAYLOAD).hexdigest()
    wrong = hashlib.new(algorithm, b"another file").hexdigest()
    message = (
        f"Download of {server.url} failed: the {algorithm.upper()} checksum of the "
        f"download ({computed}) differs from expected ({wrong})."
    )
    with pytest.raises(OSError, match=f"^{re.escape(message)}$"):
        download(server.url, folder / "file.bin", digest=(algorithm, wrong))
    assert _names(folder) == []
    assert server.requests == 1  # a mismatch is not retried
    download(server.url, folder / "file.bin", digest=(algorithm, computed.upper()))
    assert (folder / "file.bin").read_bytes() == PAYLOAD
    assert _names(folder) == ["file.bin"]


def test_a_truncated_body_is_an_error(server, folder, sleeps):
    server.announced = len(PAYLOAD) + 100
    with pytest.raises(
        OSError,
        match=rf"^Download of {re.escape(server.url)} failed after 2 attempts: "
        rf".*got only {len(PAYLOAD)} out of {len(PAYLOAD) + 100} bytes",
    ):
        download(server.url, folder / "file.bin", attempts=2, backoff=0)
    assert server.requests == 2
    assert _names(folder) == []


def test_file_url_is_copied_and_verified(tmp_path, folder):
    source = tmp_path / "source.bin"
    source.write_bytes(PAYLOAD)
    md5 = hashlib.md5(PAYLOAD).hexdigest()
    target = download(source.as_uri(), folder / "file.bin", digest=("md5", md5))
    assert target.read_bytes() == PAYLOAD
    assert source.read_bytes() == PAYLOAD
    assert _names(folder) == ["file.bin"]
    wrong = hashlib.md5(b"another file").hexdigest()
    with pytest.raises(OSError, match=rf"MD5 .*\({md5}\) differs from expected"):
        download(source.as_uri(), folder / "other.bin", digest=("md5", wrong))
    assert _names(folder) == ["file.bin"]


def test_missing_file_url_fails_naming_the_path(tmp_path, folder, sleeps):
    missing = tmp_path / "missing.bin"
    with pytest.raises(OSError, match=rf"{re.escape(str(missing))} is not a file"):
        download(missing.as_uri(), folder / "file.bin")
    assert sleeps == []
    assert _names(folder) == []


@pytest.mark.parametrize(
    ("url", "scheme"), [("ftp://example.org/file", "'ftp'"), ("relative/file", "''")]
)
def test_unsupported_scheme(folder, url, scheme):
    with pytest.raises(ValueError, match=f"unsupported URL scheme {scheme}"):
        download(url, folder / "file.bin")
    assert _names(folder) == []


def test_invalid_arguments(server, folder):
    with pytest.raises(ValueError, match="digest algorithm must be one of"):
        download(server.url, folder / "file.bin", digest=("sha1", "0" * 40))
    with pytest.raises(ValueError, match="attempts must be at least 1"):
        download(server.url, folder / "file.bin", attempts=0)
    assert server.requests == 0
    assert _names(folder) == []


def test_local_file(tmp_path):
    path = tmp_path / "a folder" / "data.tar.gz"
    assert local_file(path.as_uri()) == path
    assert local_file("https://example.org/data.tar.gz") is None
    assert local_file("data.tar.gz") is None


@pytest.mark.parametrize("algorithm", ["md5", "sha256"])
def test_file_digest(tmp_path, algorithm):
    data = PAYLOAD * 100  # over 1 MiB: several chunks
    path = tmp_path / "file.bin"
    path.write_bytes(data)
    assert file_digest(path, algorithm) == hashlib.new(algorithm, data).hexdigest()
    with pytest.raises(ValueError, match="digest algorithm must be one of"):
        file_digest(path, "sha1")


def test_a_download_has_the_permissions_of_the_umask(server, tmp_path, umask):
    source = tmp_path / "source.bin"
    source.write_bytes(PAYLOAD)
    for number, url in enumerate([server.url, source.as_uri()]):
        target = download(url, tmp_path / f"copy{number}.bin")
        assert target.read_bytes() == PAYLOAD
        assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~umask
