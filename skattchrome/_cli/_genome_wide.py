"""``predict`` and ``explain`` over whole cell types: one output file per cell type.

With ``--cells``, DATA is a folder of cell types in the published layout
(``DATA/<cell>/classification/{train,valid,test}.csv``) or ``remc``, the
published archive. Each cell type is one job: its genes (the three splits by
default) go through the model in chunks of :data:`GENES_PER_CHUNK` genes into
outputs allocated once for the cell type, and its table (``predict``) or maps
(``explain``) are written atomically to ``<out>/<cell>.csv`` (``.npz``), so
that a file there is always complete. A cell type whose file is there and
reads back complete is skipped: run the same command again after an
interruption and only the missing cell types run. The folder's run record,
``<out>/skattchrome-<command>.json``, names the model, the data and the
splits whose outputs it holds; a run of another model, data or splits into
the same folder is refused before any work. The jobs run one after the
other, in parallel on this machine (``--n-jobs``), or on a Dask cluster
(``--scheduler``), as the study of ``skattchrome benchmark`` does.
"""

import json
import sys
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
from scipy.stats import pearsonr
from sklearn.base import is_regressor
from sklearn.metrics import roc_auc_score
from tqdm.auto import tqdm

from .._attentivechrome import UniformAttentionWarning
from .._download import file_digest
from .._study import DataSource, expression_column, read_expression
from .._study._output import write_atomically, write_text
from .._study._runner import _task_runner
from ..datasets import fetch_remc, load_remc
from ..datasets._remc import SUBSETS
from ..pretrained import fetch_published, published_cell_types
from ._shared import (
    EXIT_FAILED,
    cell_list,
    check_data,
    check_input_file,
    check_model_and_data,
    check_output,
    check_scheduler,
    command_error,
    n_jobs,
    nonempty_path,
)

ARCHIVE = "remc"
"""The DATA that names the published archive (downloaded once into --data-home),
unless a folder of that name is in the current folder."""

EACH_CELLS_OWN = "{cell}"
"""The ``--published`` value that gives each cell type its own published model."""

ALL_SUBSETS = "all"
"""The ``--subset`` of every split, in the order of ``SUBSETS``."""

GENES_PER_CHUNK = 2048
"""Genes handed to the model at once (it runs them in its inference batches);
the progress bar moves by a chunk."""

OUTPUT_SUFFIX = {"predict": ".csv", "explain": ".npz"}
"""The file each command writes per cell type."""

_ALWAYS_IN_TABLE = {"gene_id", "split"}
_PREDICTED_COLUMNS = ({"probability", "predicted_label", "label"}, {"prediction"})
_ALWAYS_IN_MAPS = {"gene_ids", "splits", "mark_names", "bin_offsets"}


@dataclass(frozen=True)
class CellJob:
    """Predict or explain the genes of one cell type into one file.

    Parameters
    ----------
    cell : str
        The cell type: a subfolder of ``data``, or an archive id.
    command : {"predict", "explain"}
        Write the predictions as CSV, or the attention maps as NPZ.
    model : estimator
        The fitted model.
    data : str
        An absolute folder of cell types, or :data:`ARCHIVE`.
    data_home : str or None
        The archive's cache folder (None: scikit-learn's data home).
    subsets : tuple of str
        The splits whose genes are written, one after the other.
    out : str
        The file to write.
    expression : str or None
        A table of measured expression, written beside a regressor's
        predictions (``expression_column`` names the cell type's column).
    expression_column : str
        The column of the cell type in ``expression``; ``{cell}`` stands for it.
    log1p : bool
        Take log1p of the ``expression`` values.
    """

    cell: str
    command: str
    model: object
    data: str
    data_home: str | None
    subsets: tuple
    out: str
    expression: str | None = None
    expression_column: str = "{cell}"
    log1p: bool = False


def run_record_file(out_dir, command):
    """The record of what the outputs of ``command`` in ``out_dir`` come from."""
    return Path(out_dir) / f"skattchrome-{command}.json"


def run_record(args, data, subsets):
    """What the outputs of this run come from: model, data and splits.

    The model is the published model of each cell type, one published model,
    or MODEL by the SHA-256 of its file, so that a copy or a move of the same
    file is the same model.
    """
    if args.published == EACH_CELLS_OWN:
        model = {"published": "each cell type's own"}
    elif args.published:
        model = {"published": args.published}
    else:
        model = {"sha256": file_digest(args.paths[0], "sha256")}
    return {
        "model": model,
        "data": ARCHIVE if _is_archive(data) else _absolute(data),
        "splits": list(subsets),
    }


def _check_run_record(args, command, record):
    """Exit with a usage error if ``--out`` holds outputs of another run."""
    path = run_record_file(args.out, command)
    try:
        earlier = json.loads(path.read_text())
    except FileNotFoundError:
        return
    except (OSError, ValueError) as error:
        args.parser.error(f"argument --out: cannot read {path}: {error}")
    changed = [name for name in record if earlier.get(name) != record[name]]
    if changed:
        args.parser.error(
            f"argument --out: {args.out} holds {command} outputs of a run with "
            f"different {' and '.join(changed)} ({path}: "
            f"{', '.join(f'{name} {earlier.get(name)}' for name in changed)}; "
            f"this run: {', '.join(f'{name} {record[name]}' for name in changed)}); "
            "choose another --out"
        )


def output_file(out_dir, cell, command):
    """The file of ``cell`` in the output folder of ``command``."""
    return Path(out_dir) / f"{cell}{OUTPUT_SUFFIX[command]}"


def is_complete(path, command):
    """Whether ``path`` holds a complete output of ``command``.

    A table must read back with its gene ids, splits and predictions (with
    the predicted and given labels of a classifier) and no missing value, as
    a table cut short in its last row has; maps must open (a cut NPZ does
    not) and hold the gene ids, splits, names of the marks and bins, and at
    least one level of attention.
    """
    if command == "predict":
        try:
            table = pd.read_csv(path, dtype={"gene_id": str})
        except (OSError, ValueError):
            return False
        columns = set(table.columns) - _ALWAYS_IN_TABLE
        return (
            len(table) > 0
            and _ALWAYS_IN_TABLE <= set(table.columns)
            and any(predicted <= columns for predicted in _PREDICTED_COLUMNS)
            and not table.isna().any(axis=None)
        )
    try:
        with np.load(path) as maps:
            names = set(maps.files)
    except (OSError, ValueError, zipfile.BadZipFile):
        return False
    levels = {"bin_attention", "mark_attention"} & names
    return _ALWAYS_IN_MAPS <= names and bool(levels)


def _load_splits(job):
    """The splits of ``job``'s cell type, as Bunches of :func:`load_remc`."""
    if job.data == ARCHIVE:
        return [
            fetch_remc(job.cell, subset, data_home=job.data_home, progress=False)
            for subset in job.subsets
        ]
    return [load_remc(Path(job.data) / job.cell, subset) for subset in job.subsets]


def _chunks(n_genes):
    for start in range(0, n_genes, GENES_PER_CHUNK):
        yield slice(start, min(start + GENES_PER_CHUNK, n_genes))


def _stream(splits, outputs, compute, progress):
    """Fill the ``outputs`` (one row per gene of the splits, in order) chunk by
    chunk with ``compute(genes)``, which returns one array per output."""
    offset = 0
    for split in splits:
        for chunk in _chunks(len(split.data)):
            rows = slice(offset + chunk.start, offset + chunk.stop)
            for output, values in zip(outputs, compute(split.data[chunk]), strict=True):
                output[rows] = values
            progress(chunk.stop - chunk.start)
        offset += len(split.data)


def _predictions(job, splits, genes, progress):
    """The table of ``predict``, and the score of the cell type (or None)."""
    model = job.model
    n_genes = len(genes)
    values = np.empty(n_genes, dtype=np.float64)
    if is_regressor(model):
        _stream(splits, [values], lambda X: [model.predict(X)], progress)
        table = genes.assign(prediction=values)
        if job.expression is None:
            return table, None
        column = expression_column(job.expression_column, job.cell)
        table["expression"] = read_expression(
            job.expression, column, table["gene_id"].to_numpy(), log1p=job.log1p
        )
        return table, ("Pearson r", pearsonr(values, table["expression"])[0])
    _stream(splits, [values], lambda X: [model.predict_proba(X)[:, 1]], progress)
    labels = np.concatenate([split.target for split in splits])
    table = genes.assign(
        probability=values,
        predicted_label=model.classes_[(values > 0.5).astype(int)],
        label=labels,
    )
    if len(np.unique(labels)) < 2:
        return table, None
    return table, ("ROC AUC", roc_auc_score(labels, values))


def _attention_maps(job, splits, genes, progress):
    """The arrays of ``explain``'s NPZ, and the first uniform-attention
    warning (or None)."""
    model = job.model
    n_bins, n_marks = splits[0].data.shape[1:]
    n_genes = len(genes)
    maps = {}
    if model.use_bin_attention:
        maps["bin_attention"] = np.empty((n_genes, n_bins, n_marks), np.float32)
    if model.use_mark_attention:
        maps["mark_attention"] = np.empty((n_genes, n_marks), np.float32)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", UniformAttentionWarning)
        _stream(
            splits,
            list(maps.values()),
            lambda X: [level for level in model.attention(X) if level is not None],
            progress,
        )
    uniform = [str(w.message) for w in caught if w.category is UniformAttentionWarning]
    maps.update(
        gene_ids=genes["gene_id"].to_numpy(dtype=str),
        splits=genes["split"].to_numpy(dtype=str),
        mark_names=np.asarray(splits[0].mark_names),
        bin_offsets=splits[0].bin_offsets,
    )
    return maps, uniform[0] if uniform else None


def run_cell(job, progress=None):
    """Predict or explain every gene of ``job``'s cell type; write its file.

    Parameters
    ----------
    job : CellJob
        The cell type, model, data and output file.
    progress : callable, default=None
        Called as ``progress(n_genes, total=None)``: once with ``total``, the
        cell type's genes, once they are loaded, then with the genes of each
        chunk as it is done.

    Returns
    -------
    record : dict
        ``cell``, ``n_genes``, ``score`` (``(name, value)`` or None) and
        ``warning`` (a uniform-attention warning of ``explain``, or None).

    Raises
    ------
    OSError, ValueError
        If the data cannot be read, the model refuses it, or the file cannot
        be written; nothing is written then.
    """
    progress = progress or (lambda n_genes, total=None: None)
    splits = _load_splits(job)
    genes = pd.DataFrame(
        {
            "gene_id": np.concatenate([split.gene_ids for split in splits]),
            "split": np.repeat(job.subsets, [len(split.data) for split in splits]),
        }
    )
    progress(0, total=len(genes))
    record = {"cell": job.cell, "n_genes": len(genes), "score": None, "warning": None}
    out = Path(job.out)
    if job.command == "predict":
        table, record["score"] = _predictions(job, splits, genes, progress)
        write_atomically(out, lambda handle: table.to_csv(handle, index=False))
    else:
        maps, record["warning"] = _attention_maps(job, splits, genes, progress)
        write_atomically(out, lambda handle: np.savez(handle, **maps))
    return record


def _outcome(number, job, progress=None):
    """``(number, record, None)``, or ``(number, None, error message)``."""
    try:
        return number, run_cell(job, progress), None
    except (OSError, ValueError) as error:
        return number, None, str(error)


def _outcomes_in_process(jobs, quiet):
    """The outcomes of the jobs run here one after the other, each with a bar
    of its genes."""
    for number, job in enumerate(jobs):
        genes = tqdm(
            unit="gene",
            desc=job.cell,
            leave=False,
            disable=True if quiet else None,
            file=sys.stderr,
        )

        def progress(n_genes, total=None, bar=genes):
            if total is None:
                bar.update(n_genes)
            else:
                bar.reset(total=total)

        with genes:
            outcome = _outcome(number, job, progress)
        yield outcome


def _outcomes_in_parallel(jobs, parallel_jobs, scheduler):
    """The outcomes of the jobs run by joblib or Dask, as they end."""
    with _task_runner(parallel_jobs, scheduler) as parallel:
        yield from parallel(
            joblib.delayed(_outcome)(number, job) for number, job in enumerate(jobs)
        )


def add_genome_wide_options(command):
    """The options of ``predict`` and ``explain`` over many cell types."""
    options = command.add_argument_group(
        "many cell types",
        "With --cells, DATA is a folder of cell types "
        "(DATA/<cell>/classification/{train,valid,test}.csv) or remc, the "
        "published archive (unless a folder of that name is here), and --out a "
        "folder of one file per cell type, <out>/<cell>.csv (predict) or .npz "
        "(explain), whose column or array split names each gene's split. A cell "
        "type whose file is there and complete is skipped: run "
        "the same command again to resume; a run of another model, DATA or "
        "--subset into the same --out is refused. --published {cell} gives "
        "each cell type its own published model.",
    )
    options.add_argument(
        "--cells",
        type=cell_selection,
        default=None,
        help="comma-separated cell types of DATA, or all",
    )
    options.add_argument(
        "--n-jobs",
        type=n_jobs,
        default=None,
        help="cell types in parallel, or workers of --scheduler local (default 1)",
    )
    options.add_argument(
        "--scheduler",
        default=None,
        help="run on a Dask cluster: a scheduler ADDRESS, or local (see "
        "`skattchrome benchmark --help`)",
    )
    options.add_argument(
        "--data-home",
        type=nonempty_path,
        default=None,
        help=f"cache folder of DATA {ARCHIVE} (default: scikit-learn's data home)",
    )
    options.add_argument(
        "--quiet",
        action="store_true",
        help="no progress bar: log-friendly output",
    )


def _is_archive(data):
    """Whether DATA names the published archive rather than a folder."""
    return str(data) == ARCHIVE and not Path(data).exists()


def cell_selection(text):
    """``--cells``: comma-separated cell types, or ``"all"`` (kept as such)."""
    return text if text == "all" else cell_list(text)


def is_genome_wide(args):
    """Whether ``args`` ask for the cell types of ``--cells``; exit with a usage
    error if an option of ``--cells`` comes without it."""
    if args.cells is not None:
        return True
    for given, option in (
        (args.n_jobs is not None, "--n-jobs"),
        (args.scheduler is not None, "--scheduler"),
        (args.data_home is not None, "--data-home"),
        (args.subset == ALL_SUBSETS, f"--subset {ALL_SUBSETS}"),
        (args.published == EACH_CELLS_OWN, f"--published {EACH_CELLS_OWN}"),
    ):
        if given:
            args.parser.error(f"{option} goes with --cells")
    return False


def _cells_of(args, published_own):
    """The cell types that ``--cells`` names in DATA, or exit with a usage error."""
    data = args.paths[-1]
    if _is_archive(data):
        source = DataSource("remc")
    elif data.is_dir():
        source = DataSource("folder", path=str(data))
    else:
        args.parser.error(
            "argument DATA: with --cells, DATA is a folder of cell types "
            f"(DATA/<cell>/classification/test.csv) or {ARCHIVE}; {data} is a file"
        )
    available = source.cells()
    with_model = set(published_cell_types()["cell_type"]) if published_own else None
    if args.cells == "all":
        cells = [cell for cell in available if not published_own or cell in with_model]
    else:
        cells = args.cells
    if not available:
        args.parser.error(
            f"argument DATA: {data} holds no cell type "
            "(DATA/<cell>/classification/test.csv)"
        )
    unknown = [cell for cell in cells if cell not in available]
    if unknown or not cells:
        args.parser.error(
            f"argument --cells: {', '.join(unknown) or 'no cell type'} not in "
            f"{data} (it has {', '.join(available) or 'none'})"
        )
    without = [cell for cell in cells if published_own and cell not in with_model]
    if without:
        args.parser.error(
            f"argument --published: {', '.join(without)} has no published "
            "AttentiveChrome model"
        )
    return cells


def _check_arguments(args, command):
    """Exit with a usage error if the arguments of ``--cells`` are not usable;
    return the cell types."""
    check_model_and_data(args)
    data = args.paths[-1]
    if _is_archive(data):
        if args.data_home is not None:
            check_output(args.parser, "--data-home", args.data_home, folder=True)
    else:
        if args.data_home is not None:
            args.parser.error(f"--data-home goes with DATA {ARCHIVE}")
        check_data(args.parser, "DATA", data)
    if args.subset is not None and args.subset not in (*SUBSETS, ALL_SUBSETS):
        args.parser.error(
            f"argument --subset: one of {', '.join((*SUBSETS, ALL_SUBSETS))}"
        )
    check_input_file(args.parser, "--expression", getattr(args, "expression", None))
    if args.scheduler is not None:
        check_scheduler(args.parser)
    cells = _cells_of(args, args.published == EACH_CELLS_OWN)
    check_output(args.parser, "--out", args.out, folder=True)
    for cell in cells:
        check_output(args.parser, "--out", output_file(args.out, cell, command))
    return cells


def _models(args, command, cells, open_model):
    """The model of each cell type: its own published one, or one for all."""
    if args.published == EACH_CELLS_OWN:
        models = {cell: fetch_published(cell) for cell in cells}
    else:
        model = fetch_published(args.published) if args.published else open_model()
        models = dict.fromkeys(cells, model)
    if command == "explain":
        for model in models.values():
            if not hasattr(model, "attention"):
                raise ValueError(
                    f"{args.paths[0]} holds a {type(model).__name__}, which has no "
                    "attention; use skattchrome.interpret.saliency to explain it."
                )
    return models


def _absolute(path):
    return None if path is None else str(Path(path).resolve())


def run_genome_wide(args, command, open_model):
    """Run ``command`` on every cell type of ``--cells``; return the exit status.

    Parameters
    ----------
    args : argparse.Namespace
        The arguments of ``predict`` or ``explain`` with ``--cells``.
    command : {"predict", "explain"}
        The command.
    open_model : callable
        Returns the model of MODEL; called once, before the work, unless
        ``--published`` names the models or every cell type is finished.

    Returns
    -------
    status : int
        0 when every cell type's file is written; 1 when one failed, each
        failure an error line of ``command`` on stderr.
    """
    cells = _check_arguments(args, command)
    data = args.paths[-1]
    subsets = SUBSETS if args.subset in (None, ALL_SUBSETS) else (args.subset,)
    record = run_record(args, data, subsets)
    _check_run_record(args, command, record)
    finished = [
        cell
        for cell in cells
        if is_complete(output_file(args.out, cell, command), command)
    ]
    pending = [cell for cell in cells if cell not in finished]
    try:
        models = _models(args, command, pending, open_model) if pending else {}
        if pending and _is_archive(data):
            fetch_remc(
                pending[0], "test", data_home=args.data_home, progress=not args.quiet
            )
    except (OSError, ValueError) as error:
        return command_error(command, error)
    jobs = [
        CellJob(
            cell,
            command,
            models[cell],
            ARCHIVE if _is_archive(data) else _absolute(data),
            _absolute(args.data_home),
            subsets,
            _absolute(output_file(args.out, cell, command)),
            expression=_absolute(getattr(args, "expression", None)),
            expression_column=getattr(args, "expression_column", "{cell}"),
            log1p=getattr(args, "log1p", False),
        )
        for cell in pending
    ]
    parallel_jobs = args.n_jobs or 1
    where = (
        f"{parallel_jobs} job(s)"
        if args.scheduler is None
        else f"Dask scheduler {args.scheduler}"
    )
    written = "Predictions" if command == "predict" else "Attention maps"
    print(
        f"{written} of {len(cells)} cell type(s) of {data} ({len(finished)} "
        f"written earlier) on {where}, one file each in {args.out}",
        flush=True,
    )
    write_text(run_record_file(args.out, command), json.dumps(record, indent=1))
    cell_bar = tqdm(
        total=len(cells),
        unit="cell",
        disable=True if args.quiet else None,
        file=sys.stderr,
    )

    def report(line):
        cell_bar.update()
        if args.quiet:
            print(line, flush=True)
        else:
            cell_bar.write(line, file=sys.stdout)

    if args.scheduler is None and parallel_jobs == 1:
        outcomes = _outcomes_in_process(jobs, args.quiet)
    else:
        outcomes = _outcomes_in_parallel(jobs, parallel_jobs, args.scheduler)
    failures = []
    try:
        with cell_bar:
            for cell in finished:
                path = output_file(args.out, cell, command)
                report(f"{cell}: {path} written earlier")
            for number, record, error in outcomes:
                job = jobs[number]
                if error is not None:
                    failures.append((job.cell, error))
                    report(f"{job.cell}: FAILED")
                    continue
                report(_cell_line(record, output_file(args.out, job.cell, command)))
    except OSError as error:
        # Each cell type's own errors are its outcome: this one is the runner's,
        # a --scheduler that cannot be reached, which started no cell type.
        return command_error(command, f"argument --scheduler: {error}")
    for cell, error in failures:
        command_error(command, f"{cell}: {error}")
    return EXIT_FAILED if failures else 0


def _cell_line(record, path):
    """The line that reports the cell type of ``record``, written to ``path``."""
    line = f"{record['cell']}: {path}, {record['n_genes']} genes"
    if record["score"] is not None:
        name, value = record["score"]
        line += f", {name} {value:.4f}"
    if record["warning"] is not None:
        line += f" (warning: {record['warning']})"
    return line
