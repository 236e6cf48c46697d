"""The ``skattchrome`` command line: the 56-cell study, and one model at a time.

``skattchrome benchmark`` runs the paper's protocol for every (cell type,
model) task (see :mod:`skattchrome._study`) on this machine or on a Dask
cluster; ``skattchrome fit``, ``predict`` and ``explain`` train one model on a
split in the published CSV layout, score genes with it and write its
attention maps. Run ``skattchrome <command> --help`` for the options.
"""

import argparse

from .._version import __version__
from ._benchmark import add_benchmark_command
from ._model_commands import add_model_commands


def _parser():
    parser = argparse.ArgumentParser(
        prog="skattchrome",
        description=(
            "AttentiveChrome and its baselines: predict whether a gene is highly "
            "expressed from histone marks around its TSS, and see why."
        ),
    )
    parser.add_argument("--version", action="version", version=__version__)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True

    add_benchmark_command(commands)
    add_model_commands(commands)
    return parser


def main(argv=None):
    """Run the ``skattchrome`` command line.

    Parameters
    ----------
    argv : list of str, default=None
        Command-line arguments; None reads ``sys.argv[1:]``.

    Returns
    -------
    status : int
        0 on success; 1 when a benchmark task or a command failed (a file
        that cannot be read, a model that cannot be trained); 130 when
        interrupted. Every error is one line, ``skattchrome COMMAND: error:
        ...``, that names the file or option. Invalid arguments exit with
        status 2, as usage errors, before any work: an option's value, an
        input path that does not exist or is of the wrong kind, and an output
        that cannot be written there.

    See Also
    --------
    skattchrome._study.run_study : The study runner behind ``benchmark``.

    Examples
    --------
    >>> import tempfile
    >>> from skattchrome._cli import main
    >>> with tempfile.TemporaryDirectory() as out:
    ...     main(["benchmark", "--cells", "SIM01", "--models", "forest",
    ...           "--genes", "60", "--bins", "10", "--out", out, "--quiet"])
    Benchmark: 1 cell type x 1 model = 1 task ...
    SIM01 RandomForest: test AUC ...
    0
    """
    args, unknown = _parser().parse_known_args(argv)
    if unknown:
        # As the command's own error: argparse's top-level parser would say
        # "skattchrome: error:", naming no command.
        args.parser.error(f"unrecognized arguments: {' '.join(unknown)}")
    return args.run(args)
