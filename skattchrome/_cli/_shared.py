"""What the subcommands share: argument types, training options, exit statuses."""

import argparse
import re
import sys
from pathlib import Path

import torch

from .._files import output_problem
from .._optional import import_optional
from .._registry import MODELS, TASKS
from .._study import expression_column

EXIT_FAILED = 1
"""Exit status when a task or a command failed."""

EXIT_INTERRUPTED = 130
"""Exit status of an interrupted command (128 + SIGINT)."""

SCORE_SHORT_NAMES = {"auc": "AUC", "pearson": "r", "spearman": "Spearman", "r2": "R²"}
"""Names of the scores in the one-line reports of tasks and fits."""

INPUTS = ("counts", "log1p")
"""The scales the neural models can read the signal on (``--input``)."""

INPUT_SCALE = (
    "Raw counts or log1p: the published AttentiveChrome models and the "
    "paper's protocol read raw read counts, and so do the neural models by "
    "default; log_transform=True makes them read log1p of the counts "
    "instead, in fit, prediction, attention and saliency alike. On the "
    "shared real genes (DeepDiff's 200 genes of E003 and of E123, "
    "Chromoformer's 100 of E003; 3 x 5-fold cross-validation, ROC AUC "
    "averaged over the three sets), log1p raises DeepChrome from 0.864 to "
    "0.885 (better on 29 of 45 folds) and AttentiveChrome with the paper's "
    "recipe from 0.860 to 0.883 (31 of 45), and leaves the published "
    "network trained by the defaults where it is (0.901 raw, 0.897 log1p, 21 "
    "of 45), while the classifier's defaults, whose linear path reads log1p "
    "of counts, need it (0.898 raw, 0.902 log1p; fit warns on raw counts); "
    "the folds spread by 0.04 to 0.10. In regression (out-of-fold Pearson r of "
    "log1p(RPKM), same genes), log1p raises DeepChrome from 0.609 to 0.675 "
    "and leaves AttentiveChrome where it is (0.688 raw, 0.686 log1p). The "
    "forest is unchanged by it, and the linear baselines take the log of "
    "their summed signal themselves. Give the published models raw counts; "
    "when you train on read counts, log1p is the safer choice. skattchrome "
    "benchmark and fit take --input counts (the default, as in the paper) "
    "or --input log1p."
)
"""Which scale each model reads, measured: the paragraph that ``benchmark
--help``, the README and the documentation share."""

_CELL_NAME = re.compile(r"^[A-Za-z0-9_.-]+$")


def _integer(text):
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None


def positive_int(text):
    """An integer of at least 1."""
    value = _integer(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {text!r}")
    return value


def epochs(text):
    """A positive integer, or ``"auto"``."""
    if text == "auto":
        return text
    try:
        return positive_int(text)
    except argparse.ArgumentTypeError:
        raise argparse.ArgumentTypeError(
            f"not a positive integer or auto: {text!r}"
        ) from None


def seed(text):
    """A random seed: an integer from 0 to 2**32 - 1, as NumPy's seeds."""
    value = _integer(text)
    if not 0 <= value < 2**32:
        raise argparse.ArgumentTypeError(f"must be from 0 to 2**32 - 1: {text!r}")
    return value


def nonempty(text):
    """A path or name, never empty (an empty path would mean the current folder)."""
    if not text:
        raise argparse.ArgumentTypeError("an empty path")
    return text


def nonempty_path(text):
    """A path, never empty."""
    return Path(nonempty(text))


def device(text):
    """auto, or a device that torch can name: cpu, cuda, cuda:N or mps.

    Only the name is checked here: whether this machine (or a Dask worker) has
    the device is checked where a model is trained.
    """
    if text == "auto":
        return text
    try:
        kind = torch.device(text).type
    except (RuntimeError, TypeError):
        kind = None
    if kind not in ("cpu", "cuda", "mps"):
        raise argparse.ArgumentTypeError(
            f"not a device: {text!r}; use auto, cpu, cuda or cuda:N"
        )
    return text


def expression_column_template(text):
    """A column name of an expression table, in which {cell} stands for the cell."""
    try:
        expression_column(text, "E000")
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    return text


def check_output(parser, option, path, *, folder=False):
    """Exit with a usage error if ``path``, the value of ``option``, cannot be
    written (see :func:`skattchrome._files.output_problem`): checked before the
    work, not found once it is done."""
    problem = output_problem(path, folder=folder)
    if problem is not None:
        parser.error(f"argument {option}: cannot write {path}: {problem}")


def check_input_file(parser, option, path):
    """Exit with a usage error if ``path``, the value of ``option``, is not a file."""
    if path is None or Path(path).is_file():
        return
    if Path(path).is_dir():
        parser.error(f"argument {option}: {path} is a folder, not a file")
    parser.error(f"argument {option}: no such file: {path}")


def check_model_and_data(args):
    """Exit with a usage error if the positional arguments are not ``MODEL
    DATA`` or ``--published CELL DATA``, or MODEL is not a file."""
    expected = 1 if args.published else 2
    if len(args.paths) != expected:
        args.parser.error(
            "expected DATA after --published CELL"
            if args.published
            else "expected MODEL DATA, or --published CELL DATA"
        )
    if args.published and args.allow_pickle:
        args.parser.error("--allow-pickle has no meaning with --published")
    if not args.published:
        check_input_file(args.parser, "MODEL", args.paths[0])


def check_data(parser, option, path):
    """Exit with a usage error if ``path``, the value of ``option``, is neither a
    file nor a folder: DATA, a CSV or a cell-type folder."""
    if path is not None and not Path(path).exists():
        parser.error(f"argument {option}: no such file or folder: {path}")


def check_scheduler(parser):
    """Exit with a usage error if Dask, which ``--scheduler`` needs, is missing."""
    try:
        import_optional(
            "distributed",
            "dask",
            "Running on a Dask cluster",
            package="dask.distributed",
        )
    except ImportError as error:
        parser.error(f"argument --scheduler: {error}")


def n_jobs(text):
    """A number of jobs: any integer but 0."""
    value = _integer(text)
    if value == 0:
        raise argparse.ArgumentTypeError("must not be 0 (-1 uses every core)")
    return value


def model_list(text):
    """Comma-separated model names, or ``"all"``."""
    if text == "all":
        return list(MODELS)
    models = [name.strip().lower() for name in text.split(",") if name.strip()]
    unknown = [name for name in models if name not in MODELS]
    if unknown or not models:
        raise argparse.ArgumentTypeError(
            f"unknown model(s) {', '.join(unknown) or text!r}; choose from "
            f"{', '.join(MODELS)} or all"
        )
    return list(dict.fromkeys(models))


def cell_list(text):
    """Comma-separated cell type names, or ``"all"`` (None)."""
    if text == "all":
        return None
    cells = [name.strip() for name in text.split(",") if name.strip()]
    if not cells or not all(_CELL_NAME.match(name) for name in cells):
        raise argparse.ArgumentTypeError(f"invalid cell type name(s) in {text!r}")
    return list(dict.fromkeys(cells))


def add_training_options(parser):
    """The options of every command that trains models."""
    parser.add_argument(
        "--max-epochs",
        type=epochs,
        default="auto",
        help=(
            "maximum epochs of the neural models, or auto to size them to the "
            "training genes (default auto)"
        ),
    )
    parser.add_argument(
        "--input",
        choices=INPUTS,
        default="counts",
        help=(
            "what the neural models read: the read counts as they are (default, "
            "as in the paper and the published models) or their log1p "
            "(log_transform=True); the forest and the linear baselines are the "
            "same either way"
        ),
    )
    parser.add_argument(
        "--seed", type=seed, default=0, help="random seed, 0 to 2**32 - 1 (default 0)"
    )
    parser.add_argument(
        "--device",
        type=device,
        default="auto",
        help="auto, cpu, cuda or cuda:N for the neural models (default auto)",
    )
    parser.add_argument(
        "--threads",
        type=positive_int,
        default=1,
        help="PyTorch threads per task (default 1)",
    )
    parser.add_argument(
        "--quiet",
        action="store_true",
        help="no progress bar: log-friendly output",
    )
    parser.add_argument(
        "--verbose",
        action="store_true",
        help="also print skorch's table of epochs of each neural model (with one "
        "task at a time)",
    )


def add_model_and_data_arguments(command, default_out, kind):
    """The arguments of a command that applies a saved or published model to DATA."""
    command.usage = (
        "%(prog)s [options] MODEL DATA\n"
        "       %(prog)s [options] --published CELL DATA\n"
        "       %(prog)s [options] (MODEL | --published CELL) DATA --cells CELLS"
    )
    command.add_argument(
        "paths",
        type=nonempty_path,
        nargs="+",
        metavar="MODEL DATA",
        help=(
            "a model file written by `skattchrome fit` (skattchrome.save_model), "
            "then DATA, a CSV or a cell-type folder; only DATA with --published"
        ),
    )
    command.add_argument(
        "--published",
        metavar="CELL",
        default=None,
        help=(
            "use the published AttentiveChrome model of this REMC cell type "
            "(such as E003; downloaded once from the Kipoi model zoo and checked) "
            "instead of MODEL; it reads raw read counts"
        ),
    )
    command.add_argument(
        "--allow-pickle",
        action="store_true",
        help=(
            "also open MODEL when it is a pickle (joblib), as older releases wrote "
            "them. Opening a pickle runs whatever code it holds: only for files "
            "you made or fully trust"
        ),
    )
    command.add_argument(
        "--subset",
        default=None,
        help="split of a folder (test); with --cells train, valid, test or all "
        "(default all)",
    )
    command.add_argument(
        "--out",
        type=nonempty_path,
        default=None,
        help=f"{kind} to write (default {default_out}); with --cells, the folder "
        f"of one file per cell type (default {Path(default_out).stem})",
    )


def command_error(command, error):
    """Print ``error`` as the failure of ``command``; return the exit status."""
    print(f"skattchrome {command}: error: {error}", file=sys.stderr)
    return EXIT_FAILED


def add_task_options(parser):
    """The options that choose the task and the expression values of regression."""
    parser.add_argument(
        "--task",
        choices=TASKS,
        default="classification",
        help=(
            "classification: high or low expression, from the labels (default); "
            "regression: how much, from --expression (simulated data carry their "
            "own)"
        ),
    )
    add_expression_options(parser)


def add_expression_options(parser):
    """The options that read expression values from a table."""
    parser.add_argument(
        "--expression",
        type=nonempty_path,
        default=None,
        metavar="TABLE",
        help=(
            "CSV of expression values (the target of regression): a gene_id "
            "column and a column per cell type"
        ),
    )
    parser.add_argument(
        "--expression-column",
        type=expression_column_template,
        default="{cell}",
        metavar="COLUMN",
        help=(
            "the column of --expression to read; {cell} stands for the cell type, "
            "the name of its folder (default {cell})"
        ),
    )
    parser.add_argument(
        "--log1p",
        action="store_true",
        help="take log1p of the --expression values (for RPKM or TPM)",
    )


def cell_of(path):
    """The cell type of DATA: its folder's name, or that of a CSV's split folder."""
    path = Path(path)
    return path.name if path.is_dir() else path.resolve().parent.parent.name
