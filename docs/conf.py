"""Sphinx configuration of the skattchrome documentation."""

import importlib
import logging
import os
import pkgutil
import re
from pathlib import Path

from sphinx.util import logging as sphinx_logging

import skattchrome

DOCS = Path(__file__).resolve().parent

project = "skattchrome"
author = "skattchrome developers"
copyright = "skattchrome developers"
release = skattchrome.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.intersphinx",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]

templates_path = ["_templates"]
exclude_patterns = ["_build"]
default_role = "py:obj"

# -- API reference --------------------------------------------------------------

autosummary_generate = True
autodoc_typehints = "none"
autodoc_member_order = "groupwise"
numpydoc_show_class_members = False
numpydoc_xref_param_type = False

PUBLIC_MODULES = ["skattchrome"] + [
    f"skattchrome.{module.name}"
    for module in pkgutil.iter_modules(skattchrome.__path__)
    if not module.name.startswith("_")
]
"""The package and its public subpackages, whose ``__all__`` api.rst must cover."""

# -- Links to other projects ------------------------------------------------------

intersphinx_mapping = {
    "python": ("https://docs.python.org/3", None),
    "numpy": ("https://numpy.org/doc/stable/", None),
    "pandas": ("https://pandas.pydata.org/docs/", None),
    "sklearn": ("https://scikit-learn.org/stable/", None),
    "skorch": ("https://skorch.readthedocs.io/en/stable/", None),
    "torch": ("https://docs.pytorch.org/docs/stable/", None),
}
intersphinx_timeout = 10
# Offline (CI): setup() demotes the untyped, unsuppressible fetch warning to INFO.
INVENTORY_FAILURE = "failed to reach any of the inventories"

# -- HTML -----------------------------------------------------------------------

html_theme = "pydata_sphinx_theme"
html_title = f"skattchrome {release}"
html_theme_options = {
    "navbar_align": "left",
    "secondary_sidebar_items": ["page-toc"],
}
html_show_sourcelink = False

# -- Gallery --------------------------------------------------------------------

# The examples run in examples/: a relative data path (CI's) is from the project root.
if os.environ.get("SKATTCHROME_TEST_DATA"):
    os.environ["SKATTCHROME_TEST_DATA"] = str(
        (DOCS.parent / os.environ["SKATTCHROME_TEST_DATA"]).resolve()
    )

sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "within_subsection_order": "FileNameSortKey",
    "doc_module": ("skattchrome",),
    "backreferences_dir": "generated/backreferences",
    "abort_on_example_error": True,
    "min_reported_time": 1,
    "write_computation_times": False,
}


class DemoteInventoryFailure(logging.Filter):
    """Log intersphinx's "failed to reach any of the inventories" as INFO."""

    def filter(self, record):
        if str(record.msg).startswith(INVENTORY_FAILURE):
            record.levelno, record.levelname = logging.INFO, "INFO"
        return True


def documented_names(api_page):
    """Fully qualified names listed in the autosummary tables of ``api_page``."""
    names, module, in_table = set(), None, False
    for line in api_page.read_text().splitlines():
        if match := re.match(r"\.\. currentmodule:: (\S+)", line):
            module = match[1]
        elif line.startswith(".. autosummary::"):
            in_table = True
        elif in_table and (match := re.fullmatch(r"   ([A-Za-z_][\w.]*)", line)):
            names.add(f"{module}.{match[1]}")
        elif line and not line.startswith(" "):
            in_table = False
    return names


def check_api_page(app):
    """Warn (an error under -W) about public names missing from api.rst."""
    documented = documented_names(DOCS / "api.rst")
    for module_name in PUBLIC_MODULES:
        module = importlib.import_module(module_name)
        for name in module.__all__:
            qualified = f"{module_name}.{name}"
            if qualified not in documented | set(PUBLIC_MODULES):
                sphinx_logging.getLogger(__name__).warning(
                    "%s is public but not listed in docs/api.rst", qualified
                )


def setup(app):
    logging.getLogger("sphinx.sphinx.ext.intersphinx").addFilter(
        DemoteInventoryFailure()
    )
    app.connect("builder-inited", check_api_page)
