"""Import of the optional dependencies, with an error that says how to install them."""

import importlib


def import_optional(module_name, extra, purpose, *, package=None):
    """Import ``module_name``, or raise an ImportError that says how to install it.

    Parameters
    ----------
    module_name : str
        The module to import, such as ``"matplotlib.pyplot"``.
    extra : str
        The extra of skattchrome that installs it, such as ``"plot"``.
    purpose : str
        What needs the module, the subject of the message, such as
        ``"Plotting"``.
    package : str, default=None
        What the message names as missing; None names the top-level package of
        ``module_name``.

    Returns
    -------
    module : module
        The imported module.

    Raises
    ------
    ImportError
        If the module cannot be imported; the message names ``purpose``, the
        missing package and ``pip install skattchrome[extra]``, and the
        original error is its cause.
    """
    try:
        return importlib.import_module(module_name)
    except ImportError as error:
        package = package or module_name.partition(".")[0]
        raise ImportError(
            f"{purpose} needs {package}; install it with "
            f"`pip install skattchrome[{extra}]`."
        ) from error
