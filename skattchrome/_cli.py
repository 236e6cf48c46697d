"""The ``skattchrome`` command line: the 56-cell study, and one model at a time.

``skattchrome benchmark`` runs the paper's protocol for every (cell type,
model) task (see :mod:`skattchrome._study`) on this machine or on a Dask
cluster; ``skattchrome fit``, ``predict`` and ``explain`` train one model on a
split in the published CSV layout, score genes with it and write its
attention maps. Run ``skattchrome <command> --help`` for the options.
"""

import argparse
import re
import sys
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score
from tqdm.auto import tqdm

from ._base import ChromatinClassifierBase, NeuralChromatinClassifier
from ._study import (
    BASELINES,
    DEFAULT_MODELS,
    MODEL_NAMES,
    SIMULATED_CELLS,
    DataSource,
    StudyTask,
    build_model,
    cell_winners,
    run_study,
    summarize_results,
    torch_threads,
)
from ._version import __version__
from .datasets import fetch_remc, load_remc

EXIT_FAILED = 1
"""Exit status when a task or a command failed."""

EXIT_INTERRUPTED = 130
"""Exit status of an interrupted benchmark (128 + SIGINT)."""

_CELL_NAME = re.compile(r"^[A-Za-z0-9_.-]+$")

_BENCHMARK_EPILOG = f"""\
data:
  simulated  the built-in cell types {", ".join(SIMULATED_CELLS)} of
             {", ".join(str(cell.n_genes) for cell in SIMULATED_CELLS.values())} genes \
(100 bins, 5 marks), each split
             in thirds into train, valid and test; --genes and --bins change
             the sizes. With the default models and --max-epochs the run takes
             about a minute on two CPU cores.
  PATH       a folder of cell types in the published layout,
             PATH/E###/classification/{{train,valid,test}}.csv
  remc       the published archive of 56 cell types (downloaded once into
             --data-home; --cells all runs the 56)

models: {", ".join(MODEL_NAMES)}
  (the paper's AttentiveChrome, LSTM, LSTM-alpha, CNN-alpha,beta,
  DeepChrome, a random forest on the flat bins, and a logistic regression
  on each mark's summed signal)

output (--out):
  results.csv   cell, model, test_auc, best_valid_auc, best_epoch, epochs,
                seconds, device, status, error (one row per task)
  summary.csv   per model: mean, median, min, max test AUC, wins over
                {" and ".join(BASELINES)}, best-of-cell counts (also printed
                with each cell type's winner)
  test_auc.png  test AUC per cell type and model
  attention/CELL/MODEL.npz, .png
                class-averaged attention maps of the attention models
  tasks/CELL__MODEL.json
                each finished task, written as soon as it ends: run the same
                command again after an interruption and only the unfinished
                (or failed) tasks run again. Exit status 1 if a task failed.

reproducibility:
  each task seeds its model from (--seed, cell, model), and torch runs on
  --threads threads per task (default 1): results are identical whatever
  --n-jobs and --scheduler.

speed on Linux CPUs:
  THP_MEM_ALLOC_ENABLE=1 skattchrome benchmark ...
  backs PyTorch's large CPU tensors with huge pages (set it for dask workers
  too): training at batches of 64 and more is faster, with the same results.

on a Dask cluster (pip install "skattchrome[dask]" on every machine):
  dask scheduler                               # on HOST, listens on 8786
  dask worker tcp://HOST:8786 --nthreads 1     # on each machine; one worker
                                               # process per core (--nworkers)
  skattchrome benchmark --scheduler tcp://HOST:8786 --data remc --cells all
  The workers load the data themselves: a --data folder or --data-home must
  be readable at the same path on every worker. For GPUs start one worker per
  GPU, each seeing one device, e.g.
  CUDA_VISIBLE_DEVICES=0 dask worker tcp://HOST:8786 --nthreads 1
  and use --device cuda (or auto). --scheduler local starts a LocalCluster on
  127.0.0.1 with --n-jobs single-threaded worker processes.
"""


def _positive_int(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {text!r}")
    return value


def _epochs(text):
    if text == "auto":
        return text
    try:
        return _positive_int(text)
    except argparse.ArgumentTypeError:
        raise argparse.ArgumentTypeError(
            f"not a positive integer or auto: {text!r}"
        ) from None


def _n_jobs(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if value == 0:
        raise argparse.ArgumentTypeError("must not be 0 (-1 uses every core)")
    return value


def _model_list(text):
    if text == "all":
        return list(MODEL_NAMES)
    models = [name.strip().lower() for name in text.split(",") if name.strip()]
    unknown = [name for name in models if name not in MODEL_NAMES]
    if unknown or not models:
        raise argparse.ArgumentTypeError(
            f"unknown model(s) {', '.join(unknown) or text!r}; choose from "
            f"{', '.join(MODEL_NAMES)} or all"
        )
    return list(dict.fromkeys(models))


def _cell_list(text):
    if text == "all":
        return None
    cells = [name.strip() for name in text.split(",") if name.strip()]
    invalid = [name for name in cells if not _CELL_NAME.match(name)]
    if invalid or not cells:
        raise argparse.ArgumentTypeError(f"invalid cell type name(s) in {text!r}")
    return list(dict.fromkeys(cells))


def _add_training_options(parser):
    parser.add_argument(
        "--max-epochs",
        type=_epochs,
        default="auto",
        help=(
            "maximum epochs of the neural models, or auto to size them to the "
            "training genes (default auto)"
        ),
    )
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument(
        "--device",
        default="auto",
        help="auto, cpu, cuda or cuda:N for the neural models (default auto)",
    )
    parser.add_argument(
        "--threads",
        type=_positive_int,
        default=1,
        help="PyTorch threads per task (default 1; see reproducibility below)",
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


def _add_model_and_data_arguments(command, default_out, kind):
    """The arguments of a command that applies a saved model to DATA."""
    command.add_argument("model", type=Path, metavar="MODEL.pkl")
    command.add_argument("data", type=Path, metavar="DATA")
    command.add_argument("--subset", default=None, help="split of a folder (test)")
    command.add_argument(
        "--out",
        type=Path,
        default=Path(default_out),
        help=f"{kind} to write (default {default_out})",
    )


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

    benchmark = commands.add_parser(
        "benchmark",
        help="the paper's comparison over cell types and models",
        description=(
            "For every cell type and model: train on train, keep the epoch of "
            "best validation AUC on valid, score the test ROC AUC; then "
            "summarise per model, with the cell types where it beats "
            f"{' and '.join(BASELINES)}, and name each cell type's best model."
        ),
        epilog=_BENCHMARK_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    benchmark.add_argument(
        "--data",
        default="simulated",
        help="simulated (default), a folder PATH, or remc (see below)",
    )
    benchmark.add_argument(
        "--cells",
        type=_cell_list,
        default=None,
        help="comma-separated cell types, or all (default all of --data)",
    )
    benchmark.add_argument(
        "--models",
        type=_model_list,
        default=list(DEFAULT_MODELS),
        help=f"comma-separated models, or all (default {','.join(DEFAULT_MODELS)})",
    )
    benchmark.add_argument(
        "--out",
        type=Path,
        default=Path("skattchrome-results"),
        help="output folder (default skattchrome-results)",
    )
    benchmark.add_argument(
        "--n-jobs",
        type=_n_jobs,
        default=1,
        help="tasks in parallel, or workers of --scheduler local (default 1)",
    )
    benchmark.add_argument(
        "--scheduler",
        default=None,
        help="run on a Dask cluster: a scheduler ADDRESS, or local",
    )
    benchmark.add_argument(
        "--genes",
        type=_positive_int,
        default=None,
        help="genes per simulated cell type (default: the built-in sizes)",
    )
    benchmark.add_argument(
        "--bins",
        type=_positive_int,
        default=100,
        help="100 bp bins per simulated gene (default 100)",
    )
    benchmark.add_argument(
        "--data-home",
        default=None,
        help="cache folder of --data remc (default: scikit-learn's data home)",
    )
    _add_training_options(benchmark)
    benchmark.set_defaults(run=_benchmark, parser=benchmark)

    fit = commands.add_parser(
        "fit",
        help="train one model and save it",
        description=(
            "Train one model on DATA and save it with joblib. DATA is a CSV in "
            "the published layout or a cell-type folder (its --subset split, "
            "train by default). Neural models keep the epoch of best AUC on "
            "--valid, by default the folder's valid split."
        ),
    )
    fit.add_argument("data", type=Path, metavar="DATA", help="CSV file or folder")
    fit.add_argument(
        "--model",
        required=True,
        choices=list(MODEL_NAMES),
        help="the model to train",
    )
    fit.add_argument(
        "--out", type=Path, required=True, help="where to save the model (.pkl)"
    )
    fit.add_argument("--subset", default=None, help="split of a folder (train)")
    fit.add_argument(
        "--valid",
        type=Path,
        default=None,
        help="validation genes: a CSV, or a folder's valid split",
    )
    _add_training_options(fit)
    fit.set_defaults(run=_fit)

    predict = commands.add_parser(
        "predict",
        help="write the predictions of a saved model",
        description=(
            "Predict the genes of DATA (a CSV, or a folder's --subset split, test "
            "by default) with a model saved by `skattchrome fit`; write gene_id, "
            "probability (of high expression), predicted_label and label."
        ),
    )
    _add_model_and_data_arguments(predict, "predictions.csv", "CSV")
    predict.set_defaults(run=_predict)

    explain = commands.add_parser(
        "explain",
        help="write the attention maps of a saved model",
        description=(
            "Write the bin-level (alpha) and mark-level (beta) attention of each "
            "gene of DATA (a CSV, or a folder's --subset split, test by default) "
            "as NPZ: bin_attention (n_genes, n_bins, n_marks), mark_attention "
            "(n_genes, n_marks), gene_ids, mark_names, bin_offsets. A level the "
            "model lacks is left out."
        ),
    )
    _add_model_and_data_arguments(explain, "attention.npz", "NPZ")
    explain.set_defaults(run=_explain)
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
        0 on success; 1 when a benchmark task or a command failed; 130 when
        the benchmark was interrupted. Invalid arguments exit with status 2.

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
    args = _parser().parse_args(argv)
    return args.run(args)


def _data_source(args):
    """The DataSource of ``--data``, or exit with a usage error."""
    if args.data == "simulated":
        return DataSource("simulated", n_genes=args.genes, n_bins=args.bins)
    if args.data == "remc":
        data_home = args.data_home and str(Path(args.data_home).resolve())
        return DataSource("remc", path=data_home)
    if not Path(args.data).is_dir():
        args.parser.error(f"--data {args.data}: not simulated, remc or a folder")
    return DataSource("folder", path=str(Path(args.data).resolve()))


def _benchmark(args):
    source = _data_source(args)
    available = source.cells()
    cells = available if args.cells is None else args.cells
    unknown = [cell for cell in cells if cell not in available]
    if unknown or not cells:
        args.parser.error(
            f"--cells: {', '.join(unknown) or 'none'} not in --data {args.data} "
            f"(it has {', '.join(available) or 'none'})"
        )
    if source.kind == "remc":
        try:
            fetch_remc(cells[0], "test", data_home=source.path, progress=not args.quiet)
        except (OSError, ValueError) as error:
            print(f"skattchrome benchmark: error: {error}", file=sys.stderr)
            return EXIT_FAILED
    in_process = args.scheduler is None and args.n_jobs == 1
    tasks = [
        StudyTask(
            cell,
            model,
            source,
            seed=args.seed,
            max_epochs=args.max_epochs,
            device=args.device,
            n_threads=args.threads,
            verbose=int(in_process and args.verbose and not args.quiet),
        )
        for cell in cells
        for model in args.models
    ]
    where = (
        f"{args.n_jobs} job(s)"
        if args.scheduler is None
        else f"Dask scheduler {args.scheduler}"
    )
    print(
        f"Benchmark: {_count(len(cells), 'cell type')} x "
        f"{_count(len(args.models), 'model')} = {_count(len(tasks), 'task')} on "
        f"{where}; results in {args.out}",
        flush=True,
    )
    progress = tqdm(
        total=len(tasks),
        unit="task",
        disable=True if args.quiet else None,
        file=sys.stderr,
    )

    def report(task, record, reused):
        progress.update()
        line = _task_line(record) + (" (finished earlier)" if reused else "")
        if args.quiet:
            print(line, flush=True)
        else:
            progress.write(line, file=sys.stdout)

    try:
        with progress:
            results = run_study(
                tasks,
                args.out,
                n_jobs=args.n_jobs,
                scheduler=args.scheduler,
                callback=report,
            )
    except KeyboardInterrupt:
        print(
            f"\nInterrupted: the finished tasks are saved in {args.out}; run the "
            "same command again to resume.",
            file=sys.stderr,
        )
        return EXIT_INTERRUPTED
    _print_summary(results, args.out)
    return EXIT_FAILED if (results["status"] != "ok").any() else 0


def _count(number, noun):
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _task_line(record):
    name = f"{record['cell']} {record['model']}"
    if record["status"] != "ok":
        return f"{name}: FAILED: {record['error']}"
    line = f"{name}: test AUC {record['test_auc']:.4f}"
    if record.get("epochs") is not None and not pd.isna(record["epochs"]):
        line += (
            f" (best valid AUC {record['best_valid_auc']:.4f} at epoch "
            f"{int(record['best_epoch'])} of {int(record['epochs'])}"
        )
    else:
        line += f" (valid AUC {record['best_valid_auc']:.4f}"
    return line + f", {record['seconds']:.1f} s on {record['device']})"


def _print_summary(results, out_dir):
    summary = summarize_results(results)
    print("\nTest ROC AUC per model over cell types:")
    for column in summary.columns[summary.columns.str.endswith("_auc")]:
        summary[column] = summary[column].map(
            lambda value: "-" if pd.isna(value) else f"{value:.4f}"
        )
    print(summary.astype(object).fillna("-").to_string(index=False))
    winners = cell_winners(results)
    if len(winners):
        print("\nBest model per cell type (test ROC AUC):")
        for row in winners.itertuples(index=False):
            line = f"  {row.cell}: {row.winner} ({row.test_auc:.4f})"
            if row.runner_up is not None:
                line += f", ahead of {row.runner_up} by {row.margin:.4f}"
            print(line)
    failed = results[results["status"] != "ok"]
    if len(failed):
        print(f"\n{_count(len(failed), 'task')} failed:")
        for record in failed.to_dict("records"):
            print(f"  {record['cell']} {record['model']}: {record['error']}")
    written = f"{Path(out_dir) / 'results.csv'} and summary.csv"
    if (Path(out_dir) / "test_auc.png").is_file():
        print(
            f"\nWrote {written}, and the figures (test_auc.png, attention/), in "
            f"{out_dir}."
        )
    else:
        print(
            f"\nWrote {written} in {out_dir}; no figures: they need matplotlib "
            '(pip install "skattchrome[plot]").'
        )


def _load_split(path, subset, default_subset):
    """Load a CSV, or the ``subset`` split of a cell-type folder."""
    if path.is_dir():
        return load_remc(path, subset or default_subset)
    return load_remc(path, subset)


def _fit(args):
    try:
        train = _load_split(args.data, args.subset, "train")
        validation = None
        if args.valid is not None:
            validation = _load_split(args.valid, None, "valid")
        elif (args.data / "classification" / "valid.csv").is_file():
            validation = load_remc(args.data, "valid")
        model = build_model(
            args.model,
            random_state=args.seed,
            max_epochs=args.max_epochs,
            device=args.device,
            verbose=0 if args.quiet else 1,
        )
        with torch_threads(args.threads):
            if isinstance(model, NeuralChromatinClassifier) and validation is not None:
                model.fit(
                    train.data,
                    train.target,
                    validation_data=(validation.data, validation.target),
                )
            else:
                model.fit(train.data, train.target)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        joblib.dump(model, args.out)
    except (OSError, ValueError) as error:
        return _command_error("fit", error)
    message = f"Trained {MODEL_NAMES[args.model]} on {len(train.target)} genes"
    if getattr(model, "best_valid_auc_", None) is not None:
        message += (
            f" (best validation AUC {model.best_valid_auc_:.4f} at epoch "
            f"{model.best_epoch_} of {model.n_epochs_})"
        )
    print(f"{message}; saved to {args.out}")
    return 0


def _load_model(path):
    model = joblib.load(path)
    if not isinstance(model, ChromatinClassifierBase):
        raise ValueError(f"{path} does not hold a skattchrome model.")
    return model


def _command_error(command, error):
    print(f"skattchrome {command}: error: {error}", file=sys.stderr)
    return EXIT_FAILED


def _predict(args):
    try:
        model = _load_model(args.model)
        genes = _load_split(args.data, args.subset, "test")
        probability = model.predict_proba(genes.data)[:, 1]
        predictions = pd.DataFrame(
            {
                "gene_id": genes.gene_ids,
                "probability": probability,
                "predicted_label": model.classes_[(probability > 0.5).astype(int)],
                "label": genes.target,
            }
        )
        args.out.parent.mkdir(parents=True, exist_ok=True)
        predictions.to_csv(args.out, index=False)
    except (OSError, ValueError) as error:
        return _command_error("predict", error)
    message = f"Wrote the predictions of {len(predictions)} genes to {args.out}"
    if len(np.unique(genes.target)) == 2:
        message += f"; ROC AUC {roc_auc_score(genes.target, probability):.4f}"
    print(message)
    return 0


def _explain(args):
    try:
        model = _load_model(args.model)
        if not hasattr(model, "attention"):
            raise ValueError(
                f"{args.model} holds a {type(model).__name__}, which has no "
                "attention; use skattchrome.interpret.saliency to explain it."
            )
        genes = _load_split(args.data, args.subset, "test")
        maps = model.attention(genes.data)
        arrays = {
            level: values
            for level, values in maps._asdict().items()
            if values is not None
        }
        args.out.parent.mkdir(parents=True, exist_ok=True)
        with open(args.out, "wb") as handle:
            np.savez(
                handle,
                **arrays,
                gene_ids=np.asarray(genes.gene_ids, dtype=str),
                mark_names=np.asarray(genes.mark_names),
                bin_offsets=genes.bin_offsets,
            )
    except (OSError, ValueError) as error:
        return _command_error("explain", error)
    print(f"Wrote {' and '.join(arrays)} of {len(genes.target)} genes to {args.out}")
    return 0
