"""The import of optional dependencies."""

import sys

import pytest

from skattchrome._optional import import_optional


def test_an_installed_module_is_returned():
    assert (
        import_optional("json.decoder", "none", "Reading")
        is sys.modules["json.decoder"]
    )


def test_a_missing_module_says_what_needs_it_and_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "json.decoder", None)
    with pytest.raises(ImportError) as raised:
        import_optional("json.decoder", "extra", "Decoding")
    message = str(raised.value)
    assert message == (
        "Decoding needs json; install it with `pip install skattchrome[extra]`."
    )
    assert isinstance(raised.value.__cause__, ImportError)


def test_the_message_can_name_the_package(monkeypatch):
    monkeypatch.setitem(sys.modules, "json", None)
    with pytest.raises(ImportError, match=r"^Parsing needs a json library; .*\[x\]"):
        import_optional("json", "x", "Parsing", package="a json library")
