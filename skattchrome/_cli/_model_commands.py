"""``skattchrome fit``, ``predict`` and ``explain``: one model at a time."""

import sys
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
from sklearn.base import is_regressor
from sklearn.metrics import roc_auc_score

from .._base import ChromatinEstimatorBase
from .._model_files import is_model_file, load_model, save_model
from .._registry import MODELS, build_model
from .._study import (
    BEST_VALID,
    expression_column,
    fit_model,
    read_expression,
    score_split,
    torch_threads,
    write_atomically,
)
from ..datasets import load_remc
from ..datasets._remc import SUBSETS
from ..pretrained import fetch_published
from ._genome_wide import add_genome_wide_options, is_genome_wide, run_genome_wide
from ._shared import (
    EXIT_INTERRUPTED,
    SCORE_SHORT_NAMES,
    add_expression_options,
    add_model_and_data_arguments,
    add_task_options,
    add_training_options,
    cell_of,
    check_data,
    check_input_file,
    check_model_and_data,
    check_output,
    command_error,
    nonempty_path,
)


def add_model_commands(commands):
    """Add ``fit``, ``predict`` and ``explain`` to the subcommands."""
    fit = commands.add_parser(
        "fit",
        help="train one model and save it",
        description=(
            "Train one model on DATA and save it as a skattchrome model file "
            "(skattchrome.save_model: data, not code, safe to share and to "
            "open). DATA is a CSV in "
            "the published layout or a cell-type folder (its --subset split, "
            "train by default). Neural models keep the epoch of best score "
            "(AUC, or R² for regression) on --valid, by default the folder's "
            "valid split. With --task regression the model learns the "
            "--expression values of the genes."
        ),
    )
    fit.add_argument(
        "data", type=nonempty_path, metavar="DATA", help="CSV file or folder"
    )
    fit.add_argument(
        "--model",
        required=True,
        choices=list(MODELS),
        help="the model to train",
    )
    fit.add_argument(
        "--out",
        type=nonempty_path,
        required=True,
        help="where to save the model (such as model.skattchrome)",
    )
    fit.add_argument("--subset", default=None, help="split of a folder (train)")
    fit.add_argument(
        "--valid",
        type=nonempty_path,
        default=None,
        help="validation genes: a CSV, or a folder's valid split",
    )
    add_task_options(fit)
    add_training_options(fit)
    fit.set_defaults(run=_reporting("fit", _fit), parser=fit)

    predict = commands.add_parser(
        "predict",
        help="write the predictions of a saved model",
        description=(
            "Predict the genes of DATA (a CSV, or a folder's --subset split, test "
            "by default) with a model saved by `skattchrome fit`, or a published "
            "AttentiveChrome model (--published CELL); write gene_id, "
            "probability (of high expression), predicted_label and label; for a "
            "regressor gene_id and prediction, and expression when --expression "
            "gives the measured values."
        ),
    )
    add_model_and_data_arguments(predict, "predictions.csv", "CSV")
    add_expression_options(predict)
    add_genome_wide_options(predict)
    predict.set_defaults(
        run=_one_or_many_cells("predict", _predict, "predictions.csv"),
        parser=predict,
    )

    explain = commands.add_parser(
        "explain",
        help="write the attention maps of a saved model",
        description=(
            "Write the bin-level (alpha) and mark-level (beta) attention of each "
            "gene of DATA (a CSV, or a folder's --subset split, test by default), "
            "by a model saved by `skattchrome fit` or a published AttentiveChrome "
            "model (--published CELL), as NPZ: bin_attention (n_genes, n_bins, "
            "n_marks), mark_attention (n_genes, n_marks), gene_ids, mark_names, "
            "bin_offsets. A level the "
            "model lacks is left out."
        ),
    )
    add_model_and_data_arguments(explain, "attention.npz", "NPZ")
    add_genome_wide_options(explain)
    explain.set_defaults(
        run=_one_or_many_cells("explain", _explain, "attention.npz"), parser=explain
    )


def _reporting(command, run):
    """The ``run`` of ``command``: print the report that ``run(args)`` returns
    (status 0), or its OSError or ValueError as the command's error (status 1);
    say so when interrupted (status 130). Files are written atomically, so an
    error or an interruption leaves none half-written."""

    def run_and_report(args):
        try:
            print(run(args))
        except (OSError, ValueError) as error:
            return command_error(command, error)
        except KeyboardInterrupt:
            print(f"skattchrome {command}: interrupted", file=sys.stderr)
            return EXIT_INTERRUPTED
        return 0

    return run_and_report


def _one_or_many_cells(command, run, default_out):
    """The ``run`` of ``predict`` or ``explain``: on one DATA through ``run``
    (see :func:`_reporting`), or with ``--cells`` on every cell type of DATA,
    one file each in the folder ``--out`` (:func:`run_genome_wide`)."""
    run_one = _reporting(command, run)

    def run_one_or_many(args):
        many = is_genome_wide(args)
        if args.out is None:
            args.out = Path(Path(default_out).stem if many else default_out)
        if not many:
            return run_one(args)
        try:
            return run_genome_wide(
                args, command, lambda: _open_model(args.paths[0], args.allow_pickle)
            )
        except KeyboardInterrupt:
            print(
                f"skattchrome {command}: interrupted; the cell types written are in "
                f"{args.out}: run the same command again to resume",
                file=sys.stderr,
            )
            return EXIT_INTERRUPTED

    return run_one_or_many


def _load_split(path, subset, default_subset):
    """Load a CSV, or the ``subset`` split of a cell-type folder."""
    if subset is not None and not path.is_dir():
        raise ValueError(
            f"--subset {subset} chooses a split of a cell-type folder, but DATA "
            f"{path} is a file."
        )
    if subset is not None and subset not in SUBSETS:
        raise ValueError(
            f"--subset must be one of {', '.join(SUBSETS)}; got {subset!r}."
        )
    return load_remc(path, (subset or default_subset) if path.is_dir() else subset)


def _with_expression(split, args, path):
    """``split`` with the ``--expression`` values of its genes."""
    column = expression_column(args.expression_column, cell_of(path))
    split.expression = read_expression(
        args.expression, column, split.gene_ids, log1p=args.log1p
    )
    return split


def _fit(args):
    if args.task == "regression" and args.expression is None:
        args.parser.error("--task regression needs --expression TABLE")
    check_data(args.parser, "DATA", args.data)
    check_data(args.parser, "--valid", args.valid)
    check_input_file(args.parser, "--expression", args.expression)
    check_output(args.parser, "--out", args.out)
    model = build_model(
        args.model,
        task=args.task,
        random_state=args.seed,
        max_epochs=args.max_epochs,
        device=args.device,
        verbose=0 if args.quiet else 1,
        log_transform=args.input == "log1p",
    )
    train = _load_split(args.data, args.subset, "train")
    valid_path = args.valid
    if valid_path is None and (args.data / "classification" / "valid.csv").is_file():
        valid_path = args.data
    validation = None if valid_path is None else _load_split(valid_path, None, "valid")
    if args.task == "regression":
        train = _with_expression(train, args, args.data)
        if validation is not None:
            validation = _with_expression(validation, args, valid_path)
    with torch_threads(args.threads):
        fit_model(model, train, validation)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    save_model(model, args.out)
    message = f"Trained {MODELS[args.model].name} on {len(train.target)} genes"
    best_valid = BEST_VALID[args.task]
    best_value = getattr(model, f"{best_valid}_", None)
    if best_value is not None:
        score_name = SCORE_SHORT_NAMES[best_valid.removeprefix("best_valid_")]
        message += (
            f" (best validation {score_name} {best_value:.4f} at epoch "
            f"{model.best_epoch_} of {model.n_epochs_})"
        )
    return f"{message}; saved to {args.out}"


def _model_and_data(args):
    """The model of ``--published`` or of MODEL, and the path of DATA; the
    options are checked (``--out`` writable) before the model is opened."""
    check_model_and_data(args)
    check_data(args.parser, "DATA", args.paths[-1])
    check_output(args.parser, "--out", args.out)
    if args.published:
        return fetch_published(args.published), args.paths[0]
    path, data = args.paths
    return _open_model(path, args.allow_pickle), data


def _open_model(path, allow_pickle):
    """The skattchrome model in the file ``path``; a pickle with ``allow_pickle``."""
    if not allow_pickle or is_model_file(path):
        return load_model(path)
    return _load_pickle(path)


def _load_pickle(path):
    """The skattchrome model in the pickle ``path`` (``--allow-pickle``)."""
    # A pickle runs its code when opened: only with --allow-pickle, whose help
    # says so, and only for a file that is not a skattchrome model file.
    # Unpickling a file that is not a pickle, or one of classes that this
    # Python lacks, raises about any exception: each is the file's fault.
    try:
        model = joblib.load(path)
    except Exception as error:
        cause = f"{type(error).__name__}: {error}" if str(error) else repr(error)
        raise ValueError(
            f"{path} cannot be opened as a pickle ({cause}); it is neither a "
            "skattchrome model file nor a pickle of one."
        ) from error
    if not isinstance(model, ChromatinEstimatorBase):
        raise ValueError(
            f"{path} holds a {type(model).__name__}, not a skattchrome model."
        )
    return model


def _predict(args):
    check_input_file(args.parser, "--expression", args.expression)
    model, data = _model_and_data(args)
    genes = _load_split(data, args.subset, "test")
    if args.expression is not None:
        genes = _with_expression(genes, args, data)
    if is_regressor(model):
        predictions = pd.DataFrame(
            {"gene_id": genes.gene_ids, "prediction": model.predict(genes.data)}
        )
        if args.expression is not None:
            predictions["expression"] = genes.expression
    else:
        probability = model.predict_proba(genes.data)[:, 1]
        predictions = pd.DataFrame(
            {
                "gene_id": genes.gene_ids,
                "probability": probability,
                "predicted_label": model.classes_[(probability > 0.5).astype(int)],
                "label": genes.target,
            }
        )
    write_atomically(args.out, lambda handle: predictions.to_csv(handle, index=False))
    message = f"Wrote the predictions of {len(predictions)} genes to {args.out}"
    if "expression" in predictions:
        scores = score_split(model, genes, "test")
        message += (
            f"; Pearson r {scores['test_pearson']:.4f}, Spearman "
            f"{scores['test_spearman']:.4f}, R² {scores['test_r2']:.4f}"
        )
    elif "label" in predictions and len(np.unique(genes.target)) == 2:
        message += f"; ROC AUC {roc_auc_score(genes.target, probability):.4f}"
    return message


def _explain(args):
    model, data = _model_and_data(args)
    if not hasattr(model, "attention"):
        raise ValueError(
            f"{args.paths[0]} holds a {type(model).__name__}, which has no "
            "attention; use skattchrome.interpret.saliency to explain it."
        )
    genes = _load_split(data, args.subset, "test")
    maps = model.attention(genes.data)
    arrays = {
        level: values for level, values in maps._asdict().items() if values is not None
    }
    levels = " and ".join(arrays)
    arrays.update(
        gene_ids=np.asarray(genes.gene_ids, dtype=str),
        mark_names=np.asarray(genes.mark_names),
        bin_offsets=genes.bin_offsets,
    )
    write_atomically(args.out, lambda handle: np.savez(handle, **arrays))
    return f"Wrote {levels} of {len(genes.target)} genes to {args.out}"
