"""``skattchrome benchmark``: the paper's comparison over cell types and models."""

import argparse
import sys
import textwrap
from pathlib import Path

import pandas as pd
from tqdm.auto import tqdm

from .._registry import DEFAULT_MODELS, MODELS, models_for
from .._study import (
    BASELINES,
    MAIN_SCORE,
    MAIN_SCORE_NAMES,
    SIMULATED_CELLS,
    SPLITS,
    DataSource,
    StudyTask,
    cell_winners,
    run_study,
    summarize_results,
)
from ..datasets import fetch_remc
from ._shared import (
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    INPUT_SCALE,
    SCORE_SHORT_NAMES,
    add_task_options,
    add_training_options,
    cell_list,
    check_input_file,
    check_output,
    check_scheduler,
    command_error,
    model_list,
    n_jobs,
    nonempty,
    nonempty_path,
    positive_int,
)

_SIMULATED_SIZES = ", ".join(str(cell.n_genes) for cell in SIMULATED_CELLS.values())

_MODELS_HELP = textwrap.fill(
    f"models: {', '.join(MODELS)} (the paper's AttentiveChrome, LSTM, LSTM-alpha, "
    "CNN-alpha,beta and DeepChrome, a random forest on the flat bins, and a "
    "logistic, or for regression a ridge, regression on each mark's summed signal)",
    79,
    subsequent_indent="  ",
    break_on_hyphens=False,
)

_EPILOG = f"""\
data:
  simulated  the built-in cell types {", ".join(SIMULATED_CELLS)} of
             {_SIMULATED_SIZES} genes (100 bins, 5 marks), each split
             in thirds into train, valid and test; --genes and --bins change
             the sizes. With the default models and epochs the run takes
             about a minute on two CPU cores.
  PATH       a folder of cell types in the published layout,
             PATH/E###/classification/{{train,valid,test}}.csv
  remc       the published archive of 56 cell types (downloaded once into
             --data-home; --cells all runs the 56)

{_MODELS_HELP}

output (--out):
  results.csv   one row per task: cell, model, test and best valid scores,
                best_epoch, epochs, seconds, device, status, error
  summary.csv   per model: mean, median, min, max test score, wins over each
                baseline, best-of-cell counts (also printed with each cell
                type's winner)
  test_auc.png  test AUC per cell type and model (test_pearson.png for
                regression)
  attention/CELL/MODEL.npz, .png
                class-averaged attention maps of the attention models
  tasks/CELL__MODEL.json
                each finished task, written as soon as it ends: run the same
                command again after an interruption and only the unfinished
                (or failed) tasks run again. Exit status 1 if a task failed.

regression and chromosome splits (the documentation's page "Regression and
  chromosome-held-out CV" has more):
  --task regression scores the predicted expression by Pearson and Spearman r
  and R²; a folder or the archive then needs --expression TABLE, e.g. with
  --expression-column "{{cell}}_rpkm" --log1p for columns such as E003_rpkm.
  --split chromosomes --chromosomes TABLE keeps each chromosome in one split,
  so that no test gene shares a chromatin domain with a training gene.

{textwrap.fill(INPUT_SCALE, 79, subsequent_indent="  ", break_on_hyphens=False)}

reproducibility: each task seeds its model from (--seed, cell, model) and
  runs torch on --threads threads (default 1): results are identical
  whatever --n-jobs and --scheduler.

speed on Linux CPUs: THP_MEM_ALLOC_ENABLE=1 skattchrome benchmark ... (set
  it for dask workers too) trains faster at batches of 64 and more, with the
  same results (documentation: Getting started).

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


def add_benchmark_command(commands):
    """Add ``benchmark`` to the subcommands."""
    benchmark = commands.add_parser(
        "benchmark",
        help="the paper's comparison over cell types and models",
        description=textwrap.fill(
            "For every cell type and model: train on train, keep the epoch of "
            "best validation score on valid, score the test genes (ROC AUC; "
            "with --task regression, the Pearson and Spearman r and R² of the "
            "expression); then summarise per model, with the cell types where "
            f"it beats {' and '.join(BASELINES['classification'])} (for "
            f"regression {' and '.join(BASELINES['regression'])}), and name each "
            "cell type's best model.",
            79,
        ),
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    benchmark.add_argument(
        "--data",
        type=nonempty,
        default="simulated",
        help="simulated (default), a folder PATH, or remc (see below)",
    )
    benchmark.add_argument(
        "--cells",
        type=cell_list,
        default=None,
        help="comma-separated cell types, or all (default all of --data)",
    )
    benchmark.add_argument(
        "--models",
        type=model_list,
        default=None,
        help=(
            "comma-separated models, or all (default "
            f"{','.join(DEFAULT_MODELS['classification'])}; for regression "
            f"{','.join(DEFAULT_MODELS['regression'])})"
        ),
    )
    benchmark.add_argument(
        "--out",
        type=nonempty_path,
        default=Path("skattchrome-results"),
        help="output folder (default skattchrome-results)",
    )
    benchmark.add_argument(
        "--n-jobs",
        type=n_jobs,
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
        type=simulated_genes,
        default=None,
        help="genes per simulated cell type (default: the built-in sizes)",
    )
    benchmark.add_argument(
        "--bins",
        type=positive_int,
        default=100,
        help="100 bp bins per simulated gene (default 100)",
    )
    benchmark.add_argument(
        "--data-home",
        type=nonempty_path,
        default=None,
        help="cache folder of --data remc (default: scikit-learn's data home)",
    )
    benchmark.add_argument(
        "--split",
        choices=SPLITS,
        default="published",
        help=(
            "published: the train, valid and test genes of --data (default); "
            "chromosomes: the genes pooled and split again into thirds of whole "
            "chromosomes (needs --chromosomes)"
        ),
    )
    benchmark.add_argument(
        "--chromosomes",
        type=nonempty_path,
        default=None,
        metavar="TABLE",
        help=(
            "each gene's chromosome for --split chromosomes: a CSV with gene_id "
            "and chrom columns, or the BED or GTF file of TSSs"
        ),
    )
    add_task_options(benchmark)
    add_training_options(benchmark)
    benchmark.set_defaults(run=run_benchmark, parser=benchmark)


MIN_SIMULATED_GENES = 30
"""Fewest --genes: ten per third (train, valid, test), so that each is all but
sure to hold both classes (with one or a few genes, every task failed on a split
of one class)."""


def simulated_genes(text):
    """A number of simulated genes, at least :data:`MIN_SIMULATED_GENES`."""
    value = positive_int(text)
    if value < MIN_SIMULATED_GENES:
        raise argparse.ArgumentTypeError(
            f"must be at least {MIN_SIMULATED_GENES}, ten genes for each of the "
            f"train, valid and test thirds: {text!r}"
        )
    return value


def _data_source(args):
    """The DataSource of ``--data``, or exit with a usage error."""
    if args.data == "simulated":
        if args.expression is not None:
            args.parser.error(
                "--expression: simulated cell types carry their own expression"
            )
        if args.split != "published":
            args.parser.error(
                "--split chromosomes: simulated genes have no chromosomes"
            )
        return DataSource("simulated", n_genes=args.genes, n_bins=args.bins)
    if args.task == "regression" and args.expression is None:
        args.parser.error(
            f"--task regression on --data {args.data} needs --expression TABLE "
            "(the published archive has labels only)"
        )
    if args.split == "chromosomes" and args.chromosomes is None:
        args.parser.error("--split chromosomes needs --chromosomes TABLE")
    check_input_file(args.parser, "--expression", args.expression)
    check_input_file(args.parser, "--chromosomes", args.chromosomes)
    options = {
        "expression": _absolute(args.expression),
        "expression_column": args.expression_column,
        "log1p": args.log1p,
        "split": args.split,
        "chromosomes": _absolute(args.chromosomes),
    }
    if args.data == "remc":
        if args.data_home is not None:
            check_output(args.parser, "--data-home", args.data_home, folder=True)
        return DataSource("remc", path=_absolute(args.data_home), **options)
    if not Path(args.data).is_dir():
        args.parser.error(f"--data {args.data}: not simulated, remc or a folder")
    return DataSource("folder", path=_absolute(args.data), **options)


def _absolute(path):
    """``path`` as an absolute path string, which the workers can read; or None."""
    return None if path is None else str(Path(path).resolve())


def _check_outputs(args):
    """Exit with a usage error if ``--out`` or a file that every run writes in
    it cannot be written: found before the tasks run, not after."""
    check_output(args.parser, "--out", args.out, folder=True)
    for name, folder in (
        ("results.csv", False),
        ("summary.csv", False),
        ("tasks", True),
    ):
        check_output(args.parser, "--out", args.out / name, folder=folder)


def run_benchmark(args):
    """Run the study that ``args`` describe and print its summary."""
    source = _data_source(args)
    _check_outputs(args)
    if args.scheduler is not None:
        check_scheduler(args.parser)
    models = args.models or list(DEFAULT_MODELS[args.task])
    without = [model for model in models if model not in models_for(args.task)]
    if without:
        args.parser.error(
            f"--models: {', '.join(without)} cannot do {args.task}; choose from "
            f"{', '.join(models_for(args.task))}"
        )
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
            return command_error("benchmark", error)
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
            task=args.task,
            log_transform=args.input == "log1p",
        )
        for cell in cells
        for model in models
    ]
    where = (
        f"{args.n_jobs} job(s)"
        if args.scheduler is None
        else f"Dask scheduler {args.scheduler}"
    )
    print(
        f"Benchmark: {_count(len(cells), 'cell type')} x "
        f"{_count(len(models), 'model')} = {_count(len(tasks), 'task')} on "
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
    except OSError as error:
        return command_error("benchmark", error)
    _print_summary(results, args.out, args.task)
    return EXIT_FAILED if (results["status"] != "ok").any() else 0


def _count(number, noun):
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _task_line(record):
    name = f"{record['cell']} {record['model']}"
    if record["status"] != "ok":
        return f"{name}: FAILED: {record['error']}"
    tests = [column for column in record if str(column).startswith("test_")]
    line = f"{name}: " + ", ".join(
        f"test {SCORE_SHORT_NAMES[column.removeprefix('test_')]} {record[column]:.4f}"
        for column in tests
    )
    best_valid = next(column for column in record if column.startswith("best_valid"))
    valid_name = SCORE_SHORT_NAMES[best_valid.removeprefix("best_valid_")]
    if not pd.isna(record.get("epochs")):
        line += (
            f" (best valid {valid_name} {record[best_valid]:.4f} at epoch "
            f"{int(record['best_epoch'])} of {int(record['epochs'])}"
        )
    else:
        line += f" (valid {valid_name} {record[best_valid]:.4f}"
    return line + f", {record['seconds']:.1f} s on {record['device']})"


def _print_summary(results, out_dir, task):
    score = MAIN_SCORE[task]
    score_name = MAIN_SCORE_NAMES[score]
    summary = summarize_results(results, task=task)
    print(f"\nTest {score_name} per model over cell types:")
    statistics = summary.columns.str.endswith(score.removeprefix("test"))
    for column in summary.columns[statistics]:
        summary[column] = summary[column].map("{:.4f}".format, na_action="ignore")
    print(summary.astype(object).fillna("-").to_string(index=False))
    winners = cell_winners(results, task=task)
    if len(winners):
        print(f"\nBest model per cell type (test {score_name}):")
        for row in winners.to_dict("records"):
            line = f"  {row['cell']}: {row['winner']} ({row[score]:.4f})"
            if row["runner_up"] is not None:
                line += f", ahead of {row['runner_up']} by {row['margin']:.4f}"
            print(line)
    failed = results[results["status"] != "ok"]
    if len(failed):
        print(f"\n{_count(len(failed), 'task')} failed:")
        for record in failed.to_dict("records"):
            print(f"  {record['cell']} {record['model']}: {record['error']}")
    written = f"{Path(out_dir) / 'results.csv'} and summary.csv"
    if (Path(out_dir) / f"{score}.png").is_file():
        print(
            f"\nWrote {written}, and the figures ({score}.png, attention/), in "
            f"{out_dir}."
        )
    else:
        print(
            f"\nWrote {written} in {out_dir}; no figures: they need matplotlib "
            '(pip install "skattchrome[plot]").'
        )
