"""Download a file over HTTP(S) or copy a ``file://`` URL, atomically and verified.

The one downloader of the package: per-request timeouts (never the process-wide
:func:`socket.setdefaulttimeout`), an immediate failure on client errors such as
HTTP 404, retries with exponential back-off on transient errors, an optional
MD5 or SHA256 check computed while streaming, and a temporary file in the target
folder that replaces the target only once complete and verified, with the
permissions that the umask gives any new file.
"""

import hashlib
import http.client
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from ._files import atomic_file
from ._version import __version__

_ALGORITHMS = ("md5", "sha256")
_CHUNK = 1 << 20
_USER_AGENT = f"skattchrome/{__version__} (+Python urllib)"
# Client errors that may succeed later: 408 Request Timeout, 429 Too Many Requests.
_TRANSIENT_CLIENT_ERRORS = (408, 429)


class _TransientError(Exception):
    """An attempt failed in a way that another attempt may not."""


def download(url, path, *, digest=None, timeout=60, attempts=3, backoff=1.0):
    """Download ``url`` into the file ``path``, atomically and optionally verified.

    The content is written to a temporary file in the folder of ``path``,
    checked, then moved onto ``path``; on any failure the temporary file is
    removed and an existing ``path`` is left as it was.

    Parameters
    ----------
    url : str
        An ``http://``, ``https://`` or ``file://`` URL. A ``file://`` URL is
        copied.
    path : str or path-like
        Target file, replaced if it exists. Its folder must exist.
    digest : tuple of (str, str), default=None
        ``(algorithm, expected_hex)`` with algorithm ``"md5"`` or ``"sha256"``:
        the download is rejected if its digest differs. None checks nothing.
    timeout : float, default=60
        Seconds each request waits for the connection and for each read before
        it fails (and is retried).
    attempts : int, default=3
        Number of requests in all for transient errors: timeouts, refused or
        reset connections, other network errors, HTTP 5xx, 408 and 429, and a
        body shorter than its ``Content-Length``.
    backoff : float, default=1.0
        Seconds before the first retry, doubled before each next one.

    Returns
    -------
    path : pathlib.Path
        The downloaded file.

    Raises
    ------
    ValueError
        If the URL scheme is not http, https or file, ``digest`` names another
        algorithm, or ``attempts`` is below 1.
    OSError
        If the server answers another HTTP 4xx status (at once, after one
        request), all attempts fail (naming the URL, the number of attempts and
        the last error), the local file of a ``file://`` URL is missing, or the
        digest differs (naming the algorithm, the URL, the computed and the
        expected digest).

    See Also
    --------
    file_digest : Digest of a local file.
    local_file : Path of a ``file://`` URL.

    Notes
    -----
    Each request has its own timeout, passed to :func:`urllib.request.urlopen`;
    the process-wide default socket timeout is neither read nor changed. Retry
    ``k`` (from 0) waits ``backoff * 2**k`` seconds. Requests carry a
    ``User-Agent`` naming skattchrome and its version.

    Examples
    --------
    >>> import hashlib, pathlib, tempfile
    >>> from skattchrome._download import download
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     source = pathlib.Path(folder, "source.txt")
    ...     _ = source.write_bytes(b"chromatin")
    ...     expected = hashlib.sha256(b"chromatin").hexdigest()
    ...     copy = download(
    ...         source.as_uri(), pathlib.Path(folder, "copy.txt"),
    ...         digest=("sha256", expected),
    ...     )
    ...     copy.read_bytes()
    b'chromatin'
    """
    path = Path(path)
    scheme = urllib.parse.urlparse(url).scheme
    if scheme not in ("http", "https", "file"):
        raise ValueError(
            f"Cannot download {url}: unsupported URL scheme {scheme!r}; use http, "
            "https or file."
        )
    if digest is not None:
        algorithm, expected = digest
        if algorithm not in _ALGORITHMS:
            raise ValueError(
                f"digest algorithm must be one of {_ALGORITHMS}, got {algorithm!r}."
            )
    if attempts < 1:
        raise ValueError(f"attempts must be at least 1, got {attempts!r}.")
    with atomic_file(path) as handle:
        if scheme == "file":
            computed = _copy(url, handle, digest)
        else:
            computed = _fetch(url, handle, digest, timeout, attempts, backoff)
        if digest is not None and computed != expected.lower():
            raise OSError(
                f"Download of {url} failed: the {algorithm.upper()} checksum of "
                f"the download ({computed}) differs from expected ({expected})."
            )
    return path


def local_file(url):
    """The local path of a ``file://`` URL.

    Parameters
    ----------
    url : str
        Any URL.

    Returns
    -------
    path : pathlib.Path or None
        The path the URL names, whether or not it exists, or None if the
        scheme is not ``file``.

    See Also
    --------
    download : Copy or download a URL into a file.

    Examples
    --------
    >>> from skattchrome._download import local_file
    >>> local_file("file:///data/archive.tar.gz").as_posix()
    '/data/archive.tar.gz'
    >>> local_file("https://zenodo.org/records/2652278") is None
    True
    """
    parsed = urllib.parse.urlparse(url)
    if parsed.scheme != "file":
        return None
    return Path(urllib.request.url2pathname(parsed.path))


def file_digest(path, algorithm):
    """The hexadecimal digest of a local file, read in chunks of 1 MiB.

    Parameters
    ----------
    path : str or path-like
        The file.
    algorithm : {"md5", "sha256"}
        The :mod:`hashlib` algorithm.

    Returns
    -------
    digest : str
        The lowercase hexadecimal digest.

    Raises
    ------
    ValueError
        If ``algorithm`` is not ``"md5"`` or ``"sha256"``.
    OSError
        If the file cannot be read.

    See Also
    --------
    download : Copy or download a URL into a file, checking its digest.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from skattchrome._download import file_digest
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = pathlib.Path(folder, "empty")
    ...     path.touch()
    ...     file_digest(path, "md5")
    'd41d8cd98f00b204e9800998ecf8427e'
    """
    if algorithm not in _ALGORITHMS:
        raise ValueError(
            f"digest algorithm must be one of {_ALGORITHMS}, got {algorithm!r}."
        )
    hasher = hashlib.new(algorithm)
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(_CHUNK), b""):
            hasher.update(chunk)
    return hasher.hexdigest()


def _copy(url, handle, digest):
    """Copy the file of a ``file://`` URL into ``handle``; return its digest or None."""
    source = local_file(url)
    if not source.is_file():
        raise OSError(f"Download of {url} failed: {source} is not a file.")
    hasher = None if digest is None else hashlib.new(digest[0])
    with open(source, "rb") as reader:
        for chunk in iter(lambda: reader.read(_CHUNK), b""):
            handle.write(chunk)
            if hasher is not None:
                hasher.update(chunk)
    return None if hasher is None else hasher.hexdigest()


def _fetch(url, handle, digest, timeout, attempts, backoff):
    """Download ``url`` into ``handle`` with retries; return its digest or None."""
    request = urllib.request.Request(url, headers={"User-Agent": _USER_AGENT})
    for attempt in range(attempts):
        if attempt:
            time.sleep(backoff * 2 ** (attempt - 1))
        handle.seek(0)
        handle.truncate()
        try:
            return _fetch_once(request, handle, digest, timeout)
        except _TransientError as exc:
            error = exc
    raise OSError(
        f"Download of {url} failed after {attempts} attempt"
        f"{'s' if attempts > 1 else ''}: {error}"
    ) from error.__cause__


def _fetch_once(request, handle, digest, timeout):
    """One request into ``handle``; raise _TransientError for errors worth retrying."""
    hasher = None if digest is None else hashlib.new(digest[0])
    try:
        response = urllib.request.urlopen(request, timeout=timeout)
    except urllib.error.HTTPError as exc:
        exc.close()
        status = f"HTTP {exc.code} {exc.reason}"
        if exc.code >= 500 or exc.code in _TRANSIENT_CLIENT_ERRORS:
            raise _TransientError(status) from exc
        raise OSError(f"Download of {request.full_url} failed: {status}") from exc
    except urllib.error.URLError as exc:
        raise _TransientError(str(exc.reason)) from exc
    except (OSError, http.client.HTTPException) as exc:
        raise _TransientError(str(exc) or repr(exc)) from exc
    with response:
        announced = response.headers.get("Content-Length", "")
        received = 0
        while True:
            # Every error of a read is the network's; those of a write are not
            # retried.
            try:
                chunk = response.read(_CHUNK)
            except (OSError, http.client.HTTPException) as exc:
                raise _TransientError(str(exc) or repr(exc)) from exc
            if not chunk:
                break
            received += len(chunk)
            handle.write(chunk)
            if hasher is not None:
                hasher.update(chunk)
    # http.client's read(amt) returns b"" when the connection closes early.
    if announced.isdigit() and received < int(announced):
        raise _TransientError(
            f"connection closed early: got only {received} out of {announced} bytes"
        )
    return None if hasher is None else hasher.hexdigest()
