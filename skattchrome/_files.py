"""Files the package writes: atomically, with the permissions of the user's umask.

Every file the package writes (model files, predictions, attention maps, the
study's results, downloads) is written to a temporary file in the target's
folder, then moved onto the target with :func:`os.replace`, so that a failed
or interrupted write never leaves a half-written file behind.

The temporary file is created here with :func:`os.open` and mode ``0o666``,
as :func:`open` creates any file, so that the kernel applies the process's
umask (and a folder's default ACL) when it creates it, and the file keeps
those permissions once moved into place: ``0o644`` under umask 022, ``0o600``
under 077. :func:`tempfile.mkstemp` is not used, because it creates its files
with mode ``0o600`` whatever the umask, and the umask is never read: reading
it with :func:`os.umask` means setting it, which is process-wide and races
with the files that other threads create meanwhile. A temporary file is as
readable as the file it becomes, and only while it is being written.

Errors name the user's path, never the temporary file's name.
"""

import errno
import os
import secrets
from contextlib import contextmanager
from pathlib import Path

_FILE_MODE = 0o666
"""Mode of a new file before the umask, as :func:`open` uses."""

_FOLDER_MODE = 0o777
"""Mode of a new folder before the umask, as :func:`os.mkdir` uses."""

_ATTEMPTS = 100
"""Random names tried before giving up on a temporary name (each new name is
taken only by a concurrent writer that drew the same 64 random bits)."""


def _naming(path, error):
    """``error`` as an OSError that names ``path`` (the user's) as its file."""
    if error.errno is None:
        return OSError(f"Cannot write {path}: {error}")
    return OSError(error.errno, error.strerror or os.strerror(error.errno), str(path))


def _create_exclusively(make, parent, prefix, suffix):
    """``(name, make(name))`` for a new random name in ``parent``."""
    for _ in range(_ATTEMPTS):
        name = parent / f"{prefix}{secrets.token_hex(8)}{suffix}"
        try:
            return name, make(name)
        except FileExistsError:
            continue
    raise FileExistsError(
        errno.EEXIST, f"no unused temporary name after {_ATTEMPTS} tries", str(parent)
    )


def _open_new(name):
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    return os.fdopen(os.open(name, flags | os.O_CLOEXEC, _FILE_MODE), "w+b")


@contextmanager
def atomic_file(path):
    """A binary file to write, moved onto ``path`` when the block ends without error.

    Parameters
    ----------
    path : str or path-like
        The file to write; its folder must exist. Replaced if it exists.

    Yields
    ------
    handle : file object
        A new file, open for reading and writing in binary mode, in the folder
        of ``path``, created with the permissions of the umask.

    Raises
    ------
    OSError
        If the file cannot be created, written or moved onto ``path``; it names
        ``path``. Any error leaves ``path`` as it was and removes the
        temporary file.

    See Also
    --------
    write_atomically : Write a file through a function.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from skattchrome._files import atomic_file
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = Path(folder) / "hello.txt"
    ...     with atomic_file(path) as handle:
    ...         _ = handle.write(b"chromatin")
    ...     path.read_bytes()
    b'chromatin'
    """
    path = Path(path)
    try:
        name, handle = _create_exclusively(
            _open_new, path.parent, f".{path.name}.", ".part"
        )
    except OSError as error:
        raise _naming(path, error) from error
    try:
        with handle:
            try:
                yield handle
            except OSError as error:
                if error.errno is None or error.filename not in (None, str(name)):
                    raise
                raise _naming(path, error) from error
        try:
            os.replace(name, path)
        except OSError as error:
            raise _naming(path, error) from error
    except BaseException:
        name.unlink(missing_ok=True)
        raise


def write_atomically(path, write):
    """Call ``write(binary_file)`` on a new file, then move it onto ``path``.

    Parameters
    ----------
    path : str or path-like
        The file to write; its folder must exist.
    write : callable
        Called with the binary file object to write into.

    Raises
    ------
    OSError
        As :func:`atomic_file` raises it, naming ``path``.

    See Also
    --------
    atomic_file : The same, as a context manager.
    """
    with atomic_file(path) as handle:
        write(handle)


def temporary_folder(parent, prefix):
    """Create a new folder in ``parent``, with the permissions of the umask.

    Unlike :func:`tempfile.mkdtemp`, whose folders are private (``0o700``),
    the folder gets the permissions of any new folder, so that it may be
    renamed into place as a cache that the umask lets others read.

    Parameters
    ----------
    parent : path-like
        An existing folder.
    prefix : str
        The start of the folder's name.

    Returns
    -------
    folder : pathlib.Path
        The new, empty folder.
    """
    name, _ = _create_exclusively(
        lambda name: name.mkdir(_FOLDER_MODE), Path(parent), prefix, ""
    )
    return name


def output_problem(path, *, folder=False):
    """Why ``path`` cannot be written, checked without writing; None if it can.

    A dry check before long work: every part of ``path`` that exists is a
    folder (but ``path`` itself, for a file), the nearest existing folder
    can be written to (the missing ones are created there), and ``path`` is
    a file or missing (``folder=False``) or a folder that can be written to
    or missing (``folder=True``). The write itself can still fail (a full
    disk); its error then names ``path`` too.

    Parameters
    ----------
    path : path-like
        A file or folder to write.
    folder : bool, default=False
        Whether ``path`` is a folder to write files in.

    Returns
    -------
    problem : str or None
        A phrase such as ``"it is a folder"``, or None.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from skattchrome._files import output_problem
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     _ = (Path(folder) / "file").write_text("")
    ...     output_problem(Path(folder) / "file" / "out.csv") is not None
    ...     output_problem(Path(folder)), output_problem(Path(folder) / "new.csv")
    True
    ('it is a folder', None)
    """
    path = Path(path)
    if path.exists():
        if folder and not path.is_dir():
            return "it exists and is not a folder"
        if not folder and path.is_dir():
            return "it is a folder"
        if folder:
            return None if _writable(path) else "the folder cannot be written to"
    for parent in path.parents:
        if parent.exists():
            if not parent.is_dir():
                return f"{parent} is not a folder"
            if not _writable(parent):
                return f"{parent} cannot be written to"
            return None
    return None


def _writable(folder):
    return os.access(folder, os.W_OK | os.X_OK)
