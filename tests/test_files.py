"""Files the package writes: atomic, named in errors, with the umask's permissions."""

import errno
import os
import stat
import threading

import pytest

from skattchrome._files import (
    atomic_file,
    output_problem,
    temporary_folder,
    write_atomically,
)


def _mode(path):
    return stat.S_IMODE(path.stat().st_mode)


def test_a_written_file_has_the_permissions_of_the_umask(tmp_path, umask):
    path = tmp_path / "table.csv"
    write_atomically(path, lambda handle: handle.write(b"gene_id\n"))
    assert _mode(path) == 0o666 & ~umask
    assert path.read_bytes() == b"gene_id\n"


def test_a_replaced_file_has_the_permissions_of_the_umask(tmp_path, umask):
    path = tmp_path / "table.csv"
    path.write_bytes(b"old")
    path.chmod(0o640)
    with atomic_file(path) as handle:
        handle.write(b"new")
    assert (path.read_bytes(), _mode(path)) == (b"new", 0o666 & ~umask)


def test_a_temporary_folder_has_the_permissions_of_the_umask(tmp_path, umask):
    folder = temporary_folder(tmp_path, ".staging-")
    assert folder.parent == tmp_path and folder.name.startswith(".staging-")
    assert _mode(folder) == 0o777 & ~umask
    assert temporary_folder(tmp_path, ".staging-") != folder


def test_concurrent_writers_of_one_file_do_not_collide(tmp_path):
    path = tmp_path / "result.json"
    errors = []

    def write(number):
        try:
            write_atomically(path, lambda handle: handle.write(b"%d" % number))
        except OSError as error:
            errors.append(error)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert [entry.name for entry in tmp_path.iterdir()] == ["result.json"]


@pytest.mark.parametrize(
    ("target", "error"),
    [
        ("folder", IsADirectoryError),
        ("regular/out.csv", NotADirectoryError),
        ("missing/out.csv", FileNotFoundError),
    ],
)
def test_errors_name_the_target_not_the_temporary_file(tmp_path, target, error):
    (tmp_path / "folder").mkdir()
    (tmp_path / "regular").write_text("")
    path = tmp_path / target
    with pytest.raises(error) as raised:
        write_atomically(path, lambda handle: handle.write(b"x"))
    assert raised.value.filename == str(path)
    assert ".part" not in str(raised.value)
    assert sorted(entry.name for entry in tmp_path.iterdir()) == ["folder", "regular"]


def test_a_failed_write_names_the_target_and_keeps_the_old_file(tmp_path):
    path = tmp_path / "model.skattchrome"
    path.write_bytes(b"old")

    def fill_the_disk(handle):
        handle.write(b"half")
        raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(OSError, match="No space left on device") as raised:
        write_atomically(path, fill_the_disk)
    assert raised.value.filename == str(path)
    assert path.read_bytes() == b"old"
    assert list(tmp_path.iterdir()) == [path]


def test_an_error_about_another_file_is_left_as_it_is(tmp_path):
    source = tmp_path / "absent.csv"

    def copy(handle):
        handle.write(source.read_bytes())

    with pytest.raises(FileNotFoundError) as raised:
        write_atomically(tmp_path / "copy.csv", copy)
    assert raised.value.filename == str(source)
    assert list(tmp_path.iterdir()) == []


def test_output_problem_is_found_without_writing(tmp_path):
    (tmp_path / "folder").mkdir()
    (tmp_path / "regular").write_text("")
    assert output_problem(tmp_path / "new.csv") is None
    assert output_problem(tmp_path / "new" / "deeper" / "out.csv") is None
    assert output_problem(tmp_path / "regular") is None
    assert output_problem(tmp_path / "folder") == "it is a folder"
    assert output_problem(tmp_path / "regular" / "out.csv") == (
        f"{tmp_path / 'regular'} is not a folder"
    )
    assert output_problem(tmp_path / "regular" / "a" / "b.csv") == (
        f"{tmp_path / 'regular'} is not a folder"
    )
    assert output_problem(tmp_path / "folder", folder=True) is None
    assert output_problem(tmp_path / "new", folder=True) is None
    assert output_problem(tmp_path / "regular", folder=True) == (
        "it exists and is not a folder"
    )
    assert sorted(entry.name for entry in tmp_path.iterdir()) == ["folder", "regular"]


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0,
    reason="root writes in read-only folders",
)
def test_output_problem_finds_a_folder_that_cannot_be_written(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        assert output_problem(locked / "out.csv") == f"{locked} cannot be written to"
        assert output_problem(locked, folder=True) == "the folder cannot be written to"
    finally:
        locked.chmod(0o700)
