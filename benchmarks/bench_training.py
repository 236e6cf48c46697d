"""Throughput, time to accuracy and memory of AttentiveChromeClassifier.

Everything is measured side by side in one run, on the same machine and data,
for the published network (``linear_path=False``; the defaults' linear path
adds the log of each mark's summed signal and one linear layer):

* genes per second in training (forward, backward and update) and inference at
  several batch sizes, for
  - the bare per-mark LSTM kernels (five bidirectional ``nn.LSTM``, forward and
    backward only, one after the other on torch's threads: the ceiling of a
    mark-by-mark implementation with separate weights per mark),
  - the same kernels side by side on the threads that the package uses on CPU
    (``skattchrome._mark_threads``, same shares of each batch): the ceiling of
    the package's own way of running them,
  - a straightforward implementation of the published AttentiveChrome
    (``v2PyTorch/models.py`` of QData/AttentiveChrome: one LSTM per mark,
    sequence-first, attention computed gene by gene in a Python loop, a plain
    training loop), written out below,
  - the package (``AttentiveChromeClassifier`` through skorch),
  with the ratios of the package to the three;
* time to accuracy on a simulated cell type of E003's size (6601 training,
  6601 validation and 6601 test genes): the published recipe
  (``PAPER_RECIPE``) against the package's defaults, with both test AUCs, in
  rounds that fit the defaults, the recipe and the defaults again, so that each
  recipe's fit is paired with the defaults' fits around it;
* peak memory of predicting and explaining many genes, in a fresh process;
* the time to load one split of E003's size in the published CSV layout with
  ``load_remc``, against ``pandas.read_csv`` alone and the published loader
  (``bench_load_remc.py``, which also runs on its own);
* with ``--sections epochs`` (not run by default), the test AUC of the
  published recipe, the defaults and shorter schedules on three simulated cell
  types of E003's size: how much margin the defaults' 7 epochs leave;
* with ``--sections hugepages`` (not run by default), the wall time and minor
  page faults of fits of the defaults (3 epochs) on E003's size with
  PyTorch's huge pages off and on, each fit in a fresh process, the settings
  taking turns, and whether both settings predict the same.

Run ``python benchmarks/bench_training.py`` for the full run (about 20 minutes
on 2 cores), ``--quick`` for the reduced run that CI uses so the script cannot
rot (its figures mean little). ``--device cuda`` runs the throughput and
accuracy sections on a GPU; batches then move to the device one at a time in
every implementation, and each timing waits for the device to finish.

The script runs with PyTorch's transparent huge pages for CPU tensors of 2 MiB
or more (``THP_MEM_ALLOC_ENABLE=1``, which the performance page of the
documentation recommends on Linux; it spares the kernel most of the page
faults of the LSTMs' buffers at batches of 64 and more), the same for every
implementation; ``--huge-pages off`` measures without them.
"""

import argparse
import json
import os
import pickle
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import nullcontext
from functools import partial
from pathlib import Path

import numpy as np
import torch
from bench_load_remc import time_loaders
from sklearn.metrics import roc_auc_score
from torch import nn

from skattchrome import PAPER_RECIPE, AttentiveChromeClassifier
from skattchrome._mark_threads import balanced_segments, mark_threads
from skattchrome.datasets import make_chromatin_data

# The network every section measures: the published one, without the linear
# path of the defaults, as the reference implementation it is compared with.
PUBLISHED_NETWORK = {"linear_path": False}
N_MARKS = 5


def batch_product(states, context):
    """The published attention score: one matrix product per gene."""
    result = None
    for gene in range(states.size(0)):
        product = torch.mm(states[gene], context).unsqueeze(0)
        result = product if result is None else torch.cat((result, product), 0)
    return result.squeeze(2)


class PublishedAttention(nn.Module):
    """``attention`` of the published code."""

    def __init__(self, n_features):
        super().__init__()
        self.context = nn.Parameter(torch.empty(n_features, 1).uniform_(-0.1, 0.1))

    def forward(self, states):
        batch, length, _ = states.size()
        alpha = torch.softmax(batch_product(states, self.context), dim=1)
        summary = torch.bmm(alpha.unsqueeze(2).view(batch, -1, length), states)
        return summary, alpha


class PublishedEncoder(nn.Module):
    """``recurrent_encoder`` of the published code: LSTM then attention."""

    def __init__(self, n_inputs, hidden_size):
        super().__init__()
        self.rnn = nn.LSTM(n_inputs, hidden_size, bidirectional=True)
        self.attention = PublishedAttention(2 * hidden_size)

    def forward(self, sequence):
        states, _ = self.rnn(sequence)
        return self.attention(states.permute(1, 0, 2))


class PublishedAttentiveChrome(nn.Module):
    """``att_chrome`` of the published code."""

    def __init__(self, n_marks=N_MARKS, bin_hidden_size=32):
        super().__init__()
        self.bin_encoders = nn.ModuleList(
            PublishedEncoder(1, bin_hidden_size) for _ in range(n_marks)
        )
        self.mark_encoder = PublishedEncoder(2 * bin_hidden_size, bin_hidden_size // 2)
        self.classifier = nn.Linear(bin_hidden_size, 1)

    def forward(self, X):
        mark_embeddings = None
        for mark, encoder in enumerate(self.bin_encoders):
            signal = torch.t(X[:, :, mark].contiguous()).unsqueeze(2)
            embedding, _ = encoder(signal)
            mark_embeddings = (
                embedding
                if mark_embeddings is None
                else torch.cat((mark_embeddings, embedding), 1)
            )
        gene, _ = self.mark_encoder(mark_embeddings.permute(1, 0, 2))
        return self.classifier(gene.squeeze(1)).squeeze(1)


def elapsed_since(start, device):
    """Seconds since ``start``, once the work queued on ``device`` has finished."""
    if torch.device(device).type == "cuda":
        torch.cuda.synchronize(device)
    return time.perf_counter() - start


def published_train_epoch(model, optimizer, X, y, batch_size, device):
    """One epoch of the published training loop; returns its duration.

    Each batch is moved to ``device`` in the loop, as the published code does.
    """
    order = torch.randperm(len(X))
    start = time.perf_counter()
    for first in range(0, len(X), batch_size):
        batch = order[first : first + batch_size]
        optimizer.zero_grad()
        loss = nn.functional.binary_cross_entropy_with_logits(
            model(X[batch].to(device)), y[batch].to(device)
        )
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
    return elapsed_since(start, device)


def timed_inference(forward, X, batch_size, device, threads=None):
    """Duration of a forward pass over ``X`` in batches, without autograd.

    With ``threads``, the pass runs within their ``with`` block.
    """
    start = time.perf_counter()
    with torch.inference_mode(), threads or nullcontext():
        for first in range(0, len(X), batch_size):
            forward(X[first : first + batch_size].to(device))
    return elapsed_since(start, device)


def bare_kernels(device, bin_hidden_size=32):
    return [
        nn.LSTM(1, bin_hidden_size, batch_first=True, bidirectional=True).to(device)
        for _ in range(N_MARKS)
    ]


def bare_side_by_side(kernels, batch, threads, backward):
    """The per-mark LSTMs on ``threads``, in the package's shares of ``batch``.

    Each thread runs the forward (and backward) pass of its share.
    """

    def encode(share):
        with torch.inference_mode(not backward):
            total = sum(
                kernels[mark](batch[start:stop, :, mark : mark + 1])[0].sum()
                for mark, start, stop in share
            )
            if backward:
                total.backward()

    threads.map(encode, balanced_segments(N_MARKS, len(batch), threads.n_threads))


def bare_train_epoch(kernels, X, batch_size, device, threads=None):
    """Forward and backward of the per-mark LSTMs alone over ``X``.

    Mark after mark, or side by side on ``threads``.
    """
    start = time.perf_counter()
    with threads or nullcontext():
        for first in range(0, len(X), batch_size):
            batch = X[first : first + batch_size].to(device)
            if threads is not None:
                bare_side_by_side(kernels, batch, threads, backward=True)
                continue
            total = sum(
                kernel(batch[:, :, mark : mark + 1])[0].sum()
                for mark, kernel in enumerate(kernels)
            )
            total.backward()
    return elapsed_since(start, device)


def bare_forward(kernels, batch, threads=None):
    if threads is not None:
        bare_side_by_side(kernels, batch, threads, backward=False)
        return
    for mark, kernel in enumerate(kernels):
        kernel(batch[:, :, mark : mark + 1])


def package_model(X, y, batch_size, device):
    """The package's classifier after one epoch of training on ``X``."""
    return AttentiveChromeClassifier(
        max_epochs=1,
        batch_size=batch_size,
        validation_fraction=None,
        device=device,
        random_state=0,
        **PUBLISHED_NETWORK,
    ).fit(X, y)


def package_train_epoch(model, X, y):
    """One more epoch of the package's own training loop; returns its duration.

    ``partial_fit`` of the fitted skorch net runs the same loop as ``fit``
    (batches, loss, clipping, optimizer step, callbacks), here within the
    same use of the CPU's threads as ``fit`` (the marks side by side on CPU);
    ``dur`` is skorch's own timing of the epoch, which ends after the last
    batch's loss has been read back, so after the device has finished it.
    """
    with model._cpu_threads(model.net_.module_, model.net_.device):
        model.net_.partial_fit(X, y.astype(np.float32))
    return model.net_.history[-1, "dur"]


def package_inference(model, X):
    """Duration of ``predict_proba`` over ``X``."""
    start = time.perf_counter()
    model.predict_proba(X)
    return time.perf_counter() - start


def best_of(rounds, timers):
    """Run each timer once per round, interleaved; keep the fastest of each.

    Interleaving puts every implementation through the same moments of the
    machine, so a slow spell (another process, a noisy neighbour on a virtual
    machine) does not favour one of them.
    """
    best = [float("inf")] * len(timers)
    for _ in range(rounds):
        for index, timer in enumerate(timers):
            best[index] = min(best[index], timer())
    return best


def throughput(X, y, batch_sizes, inference_batch_sizes, rounds, device):
    """Genes per second of the implementations, side by side.

    Each figure is the best of ``rounds`` interleaved passes over ``X``, after
    one pass of warm-up each. An inference batch size of ``"auto"`` is the
    package's default; the bare kernels and the published model then run at
    the size that it resolves to. Each row is ``(pass, batch size, bare
    kernels, bare kernels side by side, published, package)``; the side by side
    figure is None where the package runs the marks one after the other (on a
    GPU, or with one torch thread).
    """
    X_tensor, y_tensor = torch.from_numpy(X), torch.from_numpy(y.astype(np.float32))
    threads = (
        mark_threads(N_MARKS, torch.get_num_threads()) if device.type == "cpu" else None
    )
    rows = []
    for batch_size in batch_sizes:
        kernels = bare_kernels(device)
        published_model = PublishedAttentiveChrome().to(device)
        optimizer = torch.optim.Adam(published_model.parameters(), lr=2e-4)
        model = package_model(X, y, batch_size, device)
        timers = [
            partial(bare_train_epoch, kernels, X_tensor, batch_size, device),
            (
                None
                if threads is None
                else partial(
                    bare_train_epoch, kernels, X_tensor, batch_size, device, threads
                )
            ),
            partial(
                published_train_epoch,
                published_model,
                optimizer,
                X_tensor,
                y_tensor,
                batch_size,
                device,
            ),
            partial(package_train_epoch, model, X, y),
        ]
        rows.append(("train", batch_size, *genes_per_second(len(X), timers, rounds)))
    n_fit = 4 * max(batch_sizes)
    model = package_model(X[:n_fit], y[:n_fit], 64, device)
    published_model = PublishedAttentiveChrome().to(device).eval()
    kernels = bare_kernels(device)
    for batch_size in inference_batch_sizes:
        model.set_params(inference_batch_size=batch_size)
        size = model._inference_batch_size(device)
        timers = [
            partial(
                timed_inference, partial(bare_forward, kernels), X_tensor, size, device
            ),
            (
                None
                if threads is None
                else partial(
                    timed_inference,
                    partial(bare_forward, kernels, threads=threads),
                    X_tensor,
                    size,
                    device,
                    threads,
                )
            ),
            partial(timed_inference, published_model, X_tensor, size, device),
            partial(package_inference, model, X),
        ]
        label = f"auto={size}" if batch_size == "auto" else batch_size
        rows.append(("inference", label, *genes_per_second(len(X), timers, rounds)))
    return rows


def genes_per_second(n_genes, timers, rounds):
    """Genes per second of each timer: a warm-up round, then the best of rounds.

    A timer that is None (an implementation not measured here) gives None.
    """
    measured = [timer for timer in timers if timer is not None]
    best_of(1, measured)
    figures = iter(n_genes / seconds for seconds in best_of(rounds, measured))
    return [None if timer is None else next(figures) for timer in timers]


def simulated_cell(n_genes, random_state):
    """A simulated cell type: its genes and its three splits.

    Returns ``X``, ``y`` and the training, validation and test splits of
    ``n_genes`` genes each (the published splits of E003 have 6601, 6601 and
    6600), views of consecutive thirds of ``X`` and ``y``.
    """
    X, y = make_chromatin_data(n_genes=3 * n_genes, random_state=random_state)
    splits = [
        (
            X[part * n_genes : (part + 1) * n_genes],
            y[part * n_genes : (part + 1) * n_genes],
        )
        for part in range(3)
    ]
    return X, y, splits


def capped(params, max_epochs, n_genes):
    """``params`` with at most ``max_epochs`` epochs (no cap when None).

    ``max_epochs="auto"`` is resolved for a fit on ``n_genes`` genes first.
    """
    if max_epochs is None:
        return dict(params)
    _, epochs = AttentiveChromeClassifier(**params).training_budget(n_genes)
    return {**params, "max_epochs": min(epochs, max_epochs)}


def timed_fit(params, splits, device):
    """A seeded fit with ``params`` on the training and validation genes.

    Returns the fitted model and the wall time of its ``fit``.
    """
    (X_train, y_train), valid, _ = splits
    model = AttentiveChromeClassifier(
        device=device, random_state=0, **{**PUBLISHED_NETWORK, **params}
    )
    start = time.perf_counter()
    model.fit(X_train, y_train, validation_data=valid)
    return model, time.perf_counter() - start


def held_out_auc(model, splits):
    """ROC AUC of ``model`` on the test genes of ``splits``."""
    *_, (X_test, y_test) = splits
    return roc_auc_score(y_test, model.decision_function(X_test))


def epoch_margins(n_genes, seeds, device, max_epochs=None):
    """Test AUC of the published recipe and of each schedule, per cell type.

    Each seed simulates a cell type of ``n_genes`` training, validation and
    test genes. Returns ``{schedule: [test AUC per seed]}``, the recipe first.
    """
    schedules = {"published recipe": PAPER_RECIPE, **SCHEDULES}
    aucs = {name: [] for name in schedules}
    for seed in seeds:
        *_, splits = simulated_cell(n_genes, seed)
        for name, params in schedules.items():
            model, _ = timed_fit(capped(params, max_epochs, n_genes), splits, device)
            aucs[name].append(held_out_auc(model, splits))
    return aucs


# Genes of the fits that warm up the threads and kernels before timed fits.
WARM_UP_GENES = 256


def time_to_accuracy(splits, device, rounds=1, max_epochs=None):
    """Fit the published recipe and the defaults on the same splits, paired in time.

    Each round fits the defaults, the recipe and the defaults again, back to
    back, and pairs the recipe's wall time with the mean of the two fits of the
    defaults around it: a drift of the machine's speed during the round then
    weighs on both settings alike, as far as it is steady. The fits are seeded,
    so every fit of a setting trains the same model. One epoch of each setting
    on a few genes comes first, so that no timed fit pays for the first use of
    the threads and kernels.

    Returns
    -------
    results : dict
        Per setting, the figures of its fastest fit: ``seconds``, ``test_auc``,
        ``seconds_to_best_epoch``, ``best_epoch`` and ``epochs``.
    paired : list of dict
        Per round, the wall times of the ``recipe``'s fit and of the
        ``defaults``' fits before and after it, and their ``ratio``: the mean
        of the defaults' over the recipe's.
    """
    n_genes = len(splits[0][0])
    settings = {
        "published recipe": capped(PAPER_RECIPE, max_epochs, n_genes),
        "package defaults": capped({}, max_epochs, n_genes),
    }
    results = dict.fromkeys(settings)
    warm_up = [(X[:WARM_UP_GENES], y[:WARM_UP_GENES]) for X, y in splits]
    for params in settings.values():
        timed_fit(capped(params, 1, WARM_UP_GENES), warm_up, device)

    def fit(name):
        model, seconds = timed_fit(settings[name], splits, device)
        if results[name] is None or seconds < results[name]["seconds"]:
            durations = np.asarray(model.history_[:, "dur"])
            results[name] = {
                "seconds": seconds,
                "test_auc": held_out_auc(model, splits),
                "seconds_to_best_epoch": float(durations[: model.best_epoch_].sum()),
                "best_epoch": model.best_epoch_,
                "epochs": model.n_epochs_,
            }
        return seconds

    paired = []
    for _ in range(rounds):
        before = fit("package defaults")
        recipe = fit("published recipe")
        after = fit("package defaults")
        paired.append(
            {
                "recipe": recipe,
                "defaults": (before, after),
                "ratio": (before + after) / 2 / recipe,
            }
        )
    return results, paired


PEAK_MEMORY_SCRIPT = """
import json, pickle, sys
import numpy as np
import torch
with open(sys.argv[1], "rb") as handle:
    model = pickle.load(handle)
n_genes = int(sys.argv[2])
if n_genes:
    rng = np.random.default_rng(0)
    X = np.empty((n_genes, model.n_bins_, model.n_marks_), dtype=np.float32)
    for first in range(0, n_genes, 256):
        chunk = X[first : first + 256]
        chunk[:] = rng.poisson(2.0, size=chunk.shape)
    proba = model.predict_proba(X)
    maps = model.attention(X)
    data_bytes = (
        X.nbytes + proba.nbytes + maps.bin_attention.nbytes + maps.mark_attention.nbytes
    )
else:
    data_bytes = 0
with open("/proc/self/status") as status:
    peak = next(
        int(line.split()[1]) * 1024 for line in status if line.startswith("VmHWM")
    )
print(json.dumps({"peak_bytes": peak, "data_bytes": data_bytes}))
"""


def peak_memory(model, gene_counts):
    """Peak resident memory of predicting and explaining, per number of genes.

    Each count runs in a fresh process with torch's default threads (so on a
    CPU with the marks side by side), whose peak is its ``VmHWM`` (Linux; the
    ``ru_maxrss`` of a child counts its parent's memory); a count of 0 only
    loads the model, the baseline. Returns ``(n_genes, peak bytes above the
    baseline, bytes of the input and outputs)`` per count.
    """
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "model.pkl"
        path.write_bytes(pickle.dumps(model))
        for n_genes in [0, *gene_counts]:
            result = subprocess.run(
                [sys.executable, "-c", PEAK_MEMORY_SCRIPT, str(path), str(n_genes)],
                capture_output=True,
                text=True,
                check=True,
            )
            figures = json.loads(result.stdout)
            rows.append((n_genes, figures["peak_bytes"], figures["data_bytes"]))
    baseline = rows[0][1]
    return [(n_genes, peak - baseline, data) for n_genes, peak, data in rows[1:]]


HUGE_PAGES_FIT_SCRIPT = """
import json, resource, sys, time
import numpy as np
from skattchrome import AttentiveChromeClassifier
from skattchrome.datasets import make_chromatin_data
n_genes, batch_size, max_epochs = map(int, sys.argv[1:4])
X, y = make_chromatin_data(n_genes=2 * n_genes, random_state=0)
model = AttentiveChromeClassifier(
    batch_size=batch_size,
    max_epochs=max_epochs,
    device="cpu",
    random_state=0,
    linear_path=False,
)
faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
start = time.perf_counter()
model.fit(X[:n_genes], y[:n_genes], validation_data=(X[n_genes:], y[n_genes:]))
seconds = time.perf_counter() - start
faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt - faults
proba = model.predict_proba(X[n_genes:])[:, 1]
print(json.dumps({"seconds": seconds, "faults": faults, "proba": proba.tolist()}))
"""


def huge_pages_fits(n_genes, batch_sizes, max_epochs, fits):
    """Fits of the defaults with PyTorch's huge pages off and on.

    Each fit runs in a fresh process (PyTorch reads the setting once), on
    ``n_genes`` training and ``n_genes`` validation genes; per batch size the
    settings take turns, ``fits`` times each. Returns, per batch size and
    setting, the wall times and minor page faults of its fits, and per batch
    size whether every fit predicted the validation genes alike.
    """
    results = {}
    for batch_size in batch_sizes:
        runs = {"off": [], "on": []}
        for _ in range(fits):
            for setting, value in (("off", "0"), ("on", "1")):
                result = subprocess.run(
                    [
                        sys.executable,
                        "-c",
                        HUGE_PAGES_FIT_SCRIPT,
                        str(n_genes),
                        str(batch_size),
                        str(max_epochs),
                    ],
                    capture_output=True,
                    text=True,
                    check=True,
                    env={**os.environ, HUGE_PAGES_VARIABLE: value},
                )
                runs[setting].append(json.loads(result.stdout))
        probas = [run["proba"] for setting in runs.values() for run in setting]
        results[batch_size] = {
            setting: (
                [run["seconds"] for run in setting_runs],
                [run["faults"] for run in setting_runs],
            )
            for setting, setting_runs in runs.items()
        }
        results[batch_size]["same"] = all(proba == probas[0] for proba in probas)
    return results


SECTIONS = ("throughput", "accuracy", "memory", "loading", "epochs", "hugepages")
DEFAULT_SECTIONS = ("throughput", "accuracy", "memory", "loading")

# The defaults and shorter schedules, against the published recipe in the
# "epochs" section.
SCHEDULES = {
    "defaults (batch 64, 7 epochs, lr 2e-3)": {},
    "6 epochs, lr 2e-3": {"max_epochs": 6},
    "6 epochs, lr 3e-3": {"max_epochs": 6, "lr": 3e-3},
    "6 epochs, lr 4e-3": {"max_epochs": 6, "lr": 4e-3},
    "5 epochs, lr 3e-3": {"max_epochs": 5, "lr": 3e-3},
}

# PyTorch's switch for transparent huge pages in its CPU allocator. It is read
# once, at torch's first allocation, so it must be in the environment before
# torch is imported.
HUGE_PAGES_VARIABLE = "THP_MEM_ALLOC_ENABLE"


def run_with_huge_pages(setting):
    """Run this script again with PyTorch's huge pages ``"on"`` or ``"off"``.

    Returns only when the environment already has the setting, that is in the
    process that runs again.
    """
    value = "1" if setting == "on" else "0"
    if os.environ.get(HUGE_PAGES_VARIABLE, "0") == value:
        return
    os.environ[HUGE_PAGES_VARIABLE] = value
    sys.stdout.flush()
    os.execv(sys.executable, [sys.executable, *sys.argv])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="reduced run for CI")
    parser.add_argument(
        "--threads", type=int, default=None, help="torch threads (default: torch's)"
    )
    parser.add_argument(
        "--device",
        default="cpu",
        help="torch device of the throughput and accuracy sections (default: cpu); "
        "the memory section always runs on the CPU",
    )
    parser.add_argument(
        "--sections",
        default=",".join(DEFAULT_SECTIONS),
        help=f"comma-separated sections to run, of {','.join(SECTIONS)} "
        f"(default: {','.join(DEFAULT_SECTIONS)}; epochs took 42 minutes with "
        "--threads 1 on 2 cores)",
    )
    parser.add_argument(
        "--accuracy-rounds",
        type=int,
        default=None,
        help="rounds of the accuracy section, each fitting the defaults, the "
        "recipe and the defaults again (default: 2, 1 with --quick)",
    )
    parser.add_argument(
        "--huge-pages",
        choices=("on", "off"),
        default="on",
        help=f"PyTorch's transparent huge pages for CPU tensors of 2 MiB or more "
        f"({HUGE_PAGES_VARIABLE}=1, the setting that the documentation "
        "recommends on Linux; default: on); the script runs itself again with "
        "the variable set",
    )
    args = parser.parse_args()
    run_with_huge_pages(args.huge_pages)
    sections = set(args.sections.split(","))
    if not sections <= set(SECTIONS):
        parser.error(f"--sections takes {', '.join(SECTIONS)}")
    if args.threads:
        torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    if args.quick:
        n_train, n_throughput, rounds, accuracy_rounds = 200, 256, 1, 1
        batch_sizes, inference_batch_sizes = [16], ["auto"]
        memory_counts, max_epochs, seeds = [1024, 2048], 2, [0]
        huge_pages_genes, huge_pages_fits_each = 300, 1
    else:
        n_train, n_throughput, rounds, accuracy_rounds = 6601, 4096, 5, 2
        batch_sizes = [16, 64, 256]
        inference_batch_sizes = [16, 64, 256, "auto"]
        memory_counts, max_epochs, seeds = [2000, 20000], None, [0, 1, 2]
        huge_pages_genes, huge_pages_fits_each = 6601, 3

    if args.accuracy_rounds is not None:
        if args.accuracy_rounds < 1:
            parser.error("--accuracy-rounds takes a positive number")
        accuracy_rounds = args.accuracy_rounds

    device = torch.device(args.device)
    card = f", {torch.cuda.get_device_name(device)}" if device.type == "cuda" else ""
    print(
        f"skattchrome training benchmark, {time.strftime('%Y-%m-%d')}, "
        f"{platform.processor() or platform.machine()}, "
        f"{torch.get_num_threads()} torch threads, torch {torch.__version__}, "
        f"device {device}{card}, "
        f"{HUGE_PAGES_VARIABLE}={os.environ.get(HUGE_PAGES_VARIABLE, '0')}"
    )
    X, y, splits = simulated_cell(n_train, random_state=0)

    if "throughput" in sections:
        print_throughput(
            X, y, n_throughput, batch_sizes, inference_batch_sizes, rounds, device
        )
    if "accuracy" in sections:
        print_time_to_accuracy(splits, n_train, accuracy_rounds, max_epochs, device)
    if "memory" in sections:
        print_peak_memory(X, y, memory_counts)
    if "loading" in sections:
        print_loading(n_train, X.shape[1], rounds)
    if "epochs" in sections:
        print_epoch_margins(n_train, seeds, max_epochs, device)
    if "hugepages" in sections:
        print_huge_pages(huge_pages_genes, huge_pages_fits_each, 1 if args.quick else 3)


def print_throughput(X, y, n_genes, batch_sizes, inference_batch_sizes, rounds, device):
    print(
        f"\nThroughput, genes/s (100 bins x 5 marks), best of {rounds} interleaved "
        "passes"
    )
    print(
        "bare: the per-mark LSTMs one after the other; side by side: the same "
        "LSTMs on the package's mark threads"
    )
    print(
        f"{'pass':<10}{'batch':>9}{'bare':>7}{'side by side':>14}{'published':>11}"
        f"{'package':>9}{'pkg/bare':>10}{'pkg/side by side':>18}{'pkg/published':>15}"
    )
    for kind, batch_size, bare, side_by_side, published, package in throughput(
        X[:n_genes], y[:n_genes], batch_sizes, inference_batch_sizes, rounds, device
    ):
        if side_by_side is None:
            side_by_side_figures = f"{'-':>14}", f"{'-':>18}"
        else:
            side_by_side_figures = (
                f"{side_by_side:>14.0f}",
                f"{package / side_by_side:>18.2f}",
            )
        print(
            f"{kind:<10}{batch_size!s:>9}{bare:>7.0f}{side_by_side_figures[0]}"
            f"{published:>11.0f}{package:>9.0f}{package / bare:>10.2f}"
            f"{side_by_side_figures[1]}{package / published:>15.2f}"
        )


def print_time_to_accuracy(splits, n_train, rounds, max_epochs, device):
    print(
        f"\nTime to accuracy: {n_train} training, {n_train} validation genes; "
        f"{rounds} round(s), each fitting the defaults, the recipe and the "
        "defaults again"
    )
    results, paired = time_to_accuracy(
        splits, device, rounds=rounds, max_epochs=max_epochs
    )
    for number, pair in enumerate(paired, start=1):
        before, after = pair["defaults"]
        print(
            f"round {number}: recipe {pair['recipe']:.1f} s, defaults "
            f"{before:.1f} s and {after:.1f} s: ratio {pair['ratio']:.3f}"
        )
    for name, figures in results.items():
        print(
            f"{name:<18} test AUC {figures['test_auc']:.4f}  fastest fit "
            f"{figures['seconds']:7.1f} s, "
            f"{figures['seconds_to_best_epoch']:7.1f} s to the best epoch "
            f"({figures['best_epoch']} of {figures['epochs']})"
        )
    recipe, defaults = results["published recipe"], results["package defaults"]
    print(
        f"defaults vs recipe: AUC difference "
        f"{defaults['test_auc'] - recipe['test_auc']:+.4f}, time ratio "
        f"{statistics.median(pair['ratio'] for pair in paired):.3f} (median of the "
        "rounds), "
        f"{defaults['seconds'] / recipe['seconds']:.3f} of the fastest "
        f"fits, {defaults['seconds'] / recipe['seconds_to_best_epoch']:.3f} "
        "of the recipe's time to its best epoch"
    )


def print_epoch_margins(n_genes, seeds, max_epochs, device):
    print(
        f"\nTest AUC of the published recipe and of schedules of the package, on "
        f"{len(seeds)} simulated cell type(s) of {n_genes} training, validation and "
        "test genes each (seeds of the simulation); in brackets the difference "
        "to the recipe"
    )
    aucs = epoch_margins(n_genes, seeds, device, max_epochs=max_epochs)
    recipe = aucs["published recipe"]
    print(f"{'schedule':<30}" + "".join(f"{f'seed {seed}':>18}" for seed in seeds))
    for name, figures in aucs.items():
        cells = (
            f"{auc:.4f}"
            if name == "published recipe"
            else f"{auc:.4f} ({auc - base:+.4f})"
            for auc, base in zip(figures, recipe, strict=True)
        )
        print(f"{name:<30}" + "".join(f"{cell:>18}" for cell in cells))


def print_huge_pages(n_genes, fits, max_epochs):
    print(
        f"\nFits of the defaults ({max_epochs} epoch(s), {n_genes} training and "
        f"{n_genes} validation genes) with {HUGE_PAGES_VARIABLE}=0 and =1, "
        f"each in a fresh process, {fits} of each, taking turns"
    )
    print(
        f"{'batch':>5}  {'huge pages':<11}{'median s':>9}{'min-max s':>15}"
        f"{'minor faults':>14}{'on/off':>8}  same predictions"
    )
    for batch_size, result in huge_pages_fits(
        n_genes, [16, 64], max_epochs, fits
    ).items():
        medians = {}
        for setting in ("off", "on"):
            seconds, faults = result[setting]
            medians[setting] = statistics.median(seconds)
            ratio = (
                f"{medians['on'] / medians['off']:>8.2f}"
                if setting == "on"
                else " " * 8
            )
            print(
                f"{batch_size:>5}  {setting:<11}{medians[setting]:>9.1f}"
                f"{f'{min(seconds):.1f}-{max(seconds):.1f}':>15}"
                f"{statistics.median(faults):>14,.0f}{ratio}  "
                + ("" if setting == "off" else "yes" if result["same"] else "NO")
            )


def print_loading(n_genes, n_bins, repeat):
    figures = time_loaders(n_genes, n_bins, repeat, published_repeat=1)
    print(
        f"\nLoading one split of {n_genes} genes x {n_bins} bins in the published "
        f"CSV layout ({figures['megabytes']:.1f} MB), best of {repeat} run(s), "
        "1 of the published loader"
    )
    print(
        f"pandas.read_csv {figures['read_csv']:.3f} s, load_remc "
        f"{figures['load_remc']:.3f} s, published loader {figures['published']:.3f} s"
    )
    print(
        f"load_remc: {figures['published'] / figures['load_remc']:.1f}x as fast as "
        f"the published loader, {figures['load_remc'] / figures['read_csv']:.2f}x "
        "the time of parsing alone"
    )


def print_peak_memory(X, y, gene_counts):
    print("\nPeak memory of predict_proba + attention, each in a fresh process")
    model = AttentiveChromeClassifier(
        max_epochs=1,
        validation_fraction=None,
        device="cpu",
        random_state=0,
        **PUBLISHED_NETWORK,
    ).fit(X[:200], y[:200])
    rows = peak_memory(model, gene_counts)
    for n_genes, growth, data_bytes in rows:
        print(
            f"{n_genes:>7} genes: peak {growth / 2**20:7.1f} MiB above loading the "
            f"model; input and outputs {data_bytes / 2**20:7.1f} MiB"
        )
    (small, small_growth, small_data), (large, large_growth, large_data) = rows
    beyond = (large_growth - small_growth) - (large_data - small_data)
    print(
        f"from {small} to {large} genes the peak grew {beyond / 2**20:+.1f} MiB "
        "beyond the input and outputs"
    )


if __name__ == "__main__":
    main()
