"""Download and cache the published 56-cell-type AttentiveChrome archive."""

import contextlib
import gzip
import os
import re
import shutil
import sys
import tarfile
import time
import zlib
from pathlib import Path

import pandas as pd
from sklearn.datasets import get_data_home

from .._download import download, file_digest, local_file
from .._files import temporary_folder
from .._validation import check_flag
from ._remc import SUBSETS, load_remc

ARCHIVE_URL = "https://zenodo.org/records/2652278/files/data.tar.gz?download=1"
"""The published archive: Zenodo record 2652278, ``data.tar.gz``."""

URL_VARIABLE = "SKATTCHROME_REMC_URL"
"""Environment variable that replaces :data:`ARCHIVE_URL` (mirrors, tests)."""

CACHE_FOLDER = "remc"
"""Sub-folder of the scikit-learn data home that holds the extracted archive."""

_STAGING_PREFIX = ".remc-download-"
# A killed install (SIGKILL, power loss) leaves its staging folder behind; the
# next install removes those untouched this long. A running install touches
# its folder as its download starts and ends and per cell type extracted, and
# no download takes a day.
_STALE_SECONDS = 24 * 3600
# Seconds without a byte from the server before a download attempt fails.
_TIMEOUT_SECONDS = 60
# Requests in all for transient errors, and seconds before the first retry
# (doubled before each next one).
_ATTEMPTS = 3
_BACKOFF_SECONDS = 1.0
_MEMBER = re.compile(r"(?:^|/)(E\d{3})/classification/(train|valid|test)\.csv$")

# The 56 Roadmap epigenomes with RNA-seq (the cell types of DeepChrome and
# AttentiveChrome) with their standardized Roadmap Epigenomics names.
_CELL_TYPES = {
    "E003": "H1 Cells",
    "E004": "H1 BMP4 Derived Mesendoderm Cultured Cells",
    "E005": "H1 BMP4 Derived Trophoblast Cultured Cells",
    "E006": "H1 Derived Mesenchymal Stem Cells",
    "E007": "H1 Derived Neuronal Progenitor Cultured Cells",
    "E011": "hESC Derived CD184+ Endoderm Cultured Cells",
    "E012": "hESC Derived CD56+ Ectoderm Cultured Cells",
    "E013": "hESC Derived CD56+ Mesoderm Cultured Cells",
    "E016": "HUES64 Cells",
    "E024": "ES-UCSF4 Cells",
    "E027": "Breast Myoepithelial Primary Cells",
    "E028": "Breast variant Human Mammary Epithelial Cells (vHMEC)",
    "E037": "Primary T helper memory cells from peripheral blood 2",
    "E038": "Primary T helper naive cells from peripheral blood",
    "E047": "Primary T CD8+ naive cells from peripheral blood",
    "E050": "Primary hematopoietic stem cells G-CSF-mobilized Female",
    "E053": "Cortex derived primary cultured neurospheres",
    "E054": "Ganglion Eminence derived primary cultured neurospheres",
    "E055": "Foreskin Fibroblast Primary Cells skin01",
    "E056": "Foreskin Fibroblast Primary Cells skin02",
    "E057": "Foreskin Keratinocyte Primary Cells skin02",
    "E058": "Foreskin Keratinocyte Primary Cells skin03",
    "E059": "Foreskin Melanocyte Primary Cells skin01",
    "E061": "Foreskin Melanocyte Primary Cells skin03",
    "E062": "Primary mononuclear cells from peripheral blood",
    "E065": "Aorta",
    "E066": "Liver",
    "E070": "Brain Germinal Matrix",
    "E071": "Brain Hippocampus Middle",
    "E079": "Esophagus",
    "E082": "Fetal Brain Female",
    "E084": "Fetal Intestine Large",
    "E085": "Fetal Intestine Small",
    "E087": "Pancreatic Islets",
    "E094": "Gastric",
    "E095": "Left Ventricle",
    "E096": "Lung",
    "E097": "Ovary",
    "E098": "Pancreas",
    "E100": "Psoas Muscle",
    "E104": "Right Atrium",
    "E105": "Right Ventricle",
    "E106": "Sigmoid Colon",
    "E109": "Small Intestine",
    "E112": "Thymus",
    "E113": "Spleen",
    "E114": "A549 EtOH 0.02pct Lung Carcinoma Cell Line",
    "E116": "GM12878 Lymphoblastoid Cells",
    "E117": "HeLa-S3 Cervical Carcinoma Cell Line",
    "E118": "HepG2 Hepatocellular Carcinoma Cell Line",
    "E119": "HMEC Mammary Epithelial Primary Cells",
    "E120": "HSMM Skeletal Muscle Myoblasts Cells",
    "E122": "HUVEC Umbilical Vein Endothelial Primary Cells",
    "E123": "K562 Leukemia Cells",
    "E127": "NHEK-Epidermal Keratinocyte Primary Cells",
    "E128": "NHLF Lung Fibroblast Primary Cells",
}


def cell_types():
    """The 56 cell types of the published AttentiveChrome archive.

    Returns
    -------
    cell_types : pandas.DataFrame of shape (56, 2)
        One row per cell type, sorted by id, with columns ``cell_type`` (the
        Roadmap epigenome id, as accepted by :func:`fetch_remc`) and ``name``
        (the standardized Roadmap Epigenomics name).

    See Also
    --------
    fetch_remc : Download and load one cell type.

    Notes
    -----
    These are the 56 Roadmap epigenomes that have RNA-seq expression, the cell
    types of DeepChrome [1]_ and AttentiveChrome [2]_.

    References
    ----------
    .. [1] R. Singh, J. Lanchantin, G. Robins and Y. Qi, "DeepChrome:
       deep-learning for predicting gene expression from histone
       modifications", Bioinformatics 32(17), 2016.
    .. [2] R. Singh, J. Lanchantin, A. Sekhon and Y. Qi, "Attend and Predict:
       Understanding Gene Regulation by Selective Attention on Chromatin",
       NeurIPS 2017.

    Examples
    --------
    >>> from skattchrome.datasets import cell_types
    >>> table = cell_types()
    >>> table.shape
    (56, 2)
    >>> table.set_index("cell_type").loc[["E003", "E123"], "name"].tolist()
    ['H1 Cells', 'K562 Leukemia Cells']
    """
    return pd.DataFrame(_CELL_TYPES.items(), columns=["cell_type", "name"])


def fetch_remc(
    cell_type="E003",
    subset="train",
    *,
    data_home=None,
    download_if_missing=True,
    return_X_y=False,
    sha256=None,
    progress=None,
):
    """Load one split of one cell type of the published AttentiveChrome archive.

    On first use the whole archive (Zenodo record 2652278, ``data.tar.gz``,
    56 cell types, about 6600 genes per split) is downloaded and extracted
    into ``<data_home>/remc``; later calls read from there with
    :func:`load_remc`.

    Parameters
    ----------
    cell_type : str, default="E003"
        Roadmap epigenome id, one of ``cell_types().cell_type``.
    subset : {"train", "valid", "test"}, default="train"
        The split to load.
    data_home : str or path-like, default=None
        Folder of the cache. By default the scikit-learn data home,
        ``$SCIKIT_LEARN_DATA`` or ``~/scikit_learn_data``.
    download_if_missing : bool, default=True
        If False, raise an error instead of downloading a missing archive.
    return_X_y : bool, default=False
        If True, return ``(data, target)`` instead of a Bunch.
    sha256 : str, default=None
        SHA256 of ``data.tar.gz``, as lowercase hex, from a source you trust;
        the download is rejected if it differs. None checks only the layout
        of the archive, as this package ships no checksum of it. Used only
        when the archive is downloaded.
    progress : bool, default=None
        Print one line to stderr before downloading, naming the archive, its
        URL, the cache folder and its rough size; the download itself shows no
        progress. None prints it only when stderr is a terminal.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        The Bunch of :func:`load_remc`: ``data`` (n_genes, n_bins, n_marks),
        ``target``, ``gene_ids``, ``mark_names``, ``bin_offsets`` and
        ``DESCR``, which also names the cell type.

    (data, target) : tuple if ``return_X_y`` is True
        The two arrays described above.

    Raises
    ------
    ValueError
        If ``cell_type`` or ``subset`` is not one of the valid values.
    FileNotFoundError
        If the archive is not cached and ``download_if_missing`` is False, or
        if the cached archive lacks the cell type.
    OSError
        If the download fails (at once on an HTTP client error such as 404 or
        410, after three attempts on transient errors), its SHA256 differs from
        ``sha256``, or the archive is corrupt, incomplete or not in the
        expected layout. Nothing is left in the cache in that case.

    See Also
    --------
    load_remc : Load a file or folder in the same layout.
    cell_types : The valid cell types and their names.

    Notes
    -----
    The archive is downloaded into a temporary folder in the data home and
    extracted there; the folder is renamed to ``remc`` only once the whole
    archive was read and holds ``E###/classification/{train,valid,test}.csv``
    for every cell type it contains, and the archive itself is deleted. Any
    failure removes the temporary folder. Temporary folders left by an install
    that was killed outright are removed by the next download once they have
    been untouched for a day.

    Each request of the download times out after 60 seconds without data from
    the server (a timeout of that request only: the process-wide default socket
    timeout is left alone). An HTTP client error such as 404 Not Found or 410
    Gone fails at once; transient errors (timeouts, refused or reset
    connections, HTTP 5xx, 408 and 429, a connection closed before the whole
    file arrived) are retried up to three attempts in all, after waiting 1 then
    2 seconds.

    This package ships no checksum of the archive: Zenodo lists only an MD5
    on the record page, and none could be checked when this was written. To
    pin the archive, pass as ``sha256`` the ``sha256sum`` of a copy you trust,
    for instance one whose ``md5sum`` matches the record page. The environment
    variable ``SKATTCHROME_REMC_URL`` replaces the download URL (for a mirror,
    or a ``file://`` URL of a local copy).

    References
    ----------
    .. [1] R. Singh, J. Lanchantin, A. Sekhon and Y. Qi, "Attend and Predict:
       Understanding Gene Regulation by Selective Attention on Chromatin",
       NeurIPS 2017. Data: https://zenodo.org/records/2652278

    Examples
    --------
    >>> import tempfile
    >>> from skattchrome.datasets import fetch_remc
    >>> fetch_remc("E000")
    Traceback (most recent call last):
    ...
    ValueError: Unknown cell type 'E000'; valid cell types are E003, E004, ...
    >>> with tempfile.TemporaryDirectory() as empty_home:
    ...     fetch_remc("E003", data_home=empty_home, download_if_missing=False)
    Traceback (most recent call last):
    ...
    FileNotFoundError: The AttentiveChrome archive is not in .../remc and ...
    """
    if cell_type not in _CELL_TYPES:
        raise ValueError(
            f"Unknown cell type {cell_type!r}; valid cell types are "
            f"{', '.join(_CELL_TYPES)} (see cell_types())."
        )
    if subset not in SUBSETS:
        raise ValueError(f"subset must be one of {SUBSETS}, got {subset!r}.")
    check_flag("download_if_missing", download_if_missing)
    check_flag("return_X_y", return_X_y)
    home = Path(get_data_home(data_home))
    cache = home / CACHE_FOLDER
    if not cache.is_dir():
        if not download_if_missing:
            raise FileNotFoundError(
                f"The AttentiveChrome archive is not in {cache} and "
                "download_if_missing is False."
            )
        _install_archive(home, cache, sha256, progress)
    folder = cache / cell_type
    if not folder.is_dir():
        raise FileNotFoundError(
            f"The cached archive in {cache} has no cell type {cell_type}; remove "
            "the folder to download the archive again."
        )
    remc = load_remc(folder, subset)
    if return_X_y:
        return remc.data, remc.target
    remc.DESCR = (
        f"AttentiveChrome archive, cell type {cell_type} "
        f"({_CELL_TYPES[cell_type]}), {subset} split.\n{remc.DESCR}"
    )
    return remc


def _install_archive(home, cache, sha256, progress):
    """Download, verify and extract the archive, then move it to ``cache``."""
    url = os.environ.get(URL_VARIABLE) or ARCHIVE_URL
    oldest = time.time() - _STALE_SECONDS
    for path in home.glob(f"{_STAGING_PREFIX}*"):
        with contextlib.suppress(FileNotFoundError):
            if path.stat().st_mtime < oldest:
                shutil.rmtree(path, ignore_errors=True)
    if progress or (progress is None and sys.stderr.isatty()):
        # The size is an estimate from the layout (56 cell types x 3 splits x
        # ~6600 genes x 100 rows of ~20 bytes), not a measurement.
        print(
            "Downloading the AttentiveChrome archive (56 cell types, roughly "
            f"2 GB of CSV once extracted) from {url} into {cache}; no progress "
            "is shown while it downloads.",
            file=sys.stderr,
            flush=True,
        )
    # Not mkdtemp: the staging folder becomes the cache, readable as the umask says.
    staging = temporary_folder(home, _STAGING_PREFIX)
    try:
        archive = _download(url, staging, sha256)
        _extract(archive, staging, url)
        if archive.parent == staging:
            archive.unlink()
        try:
            staging.rename(cache)
        except OSError:
            if not cache.is_dir():  # else another process installed it meanwhile
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _download(url, staging, sha256):
    """The archive at ``url``, downloaded into ``staging`` unless a local file."""
    path = local_file(url)
    if path is None:
        # staging is new, so this always downloads: the cache is the extracted
        # folder, and the archive is deleted once extracted.
        return download(
            url,
            staging / "data.tar.gz",
            digest=None if sha256 is None else ("sha256", sha256),
            timeout=_TIMEOUT_SECONDS,
            attempts=_ATTEMPTS,
            backoff=_BACKOFF_SECONDS,
        )
    # A local copy is read in place rather than copied: the archive is large.
    if not path.is_file():
        raise OSError(f"Download of {url} failed: {path} is not a file.")
    if sha256 is not None:
        computed = file_digest(path, "sha256")
        if computed != sha256.lower():
            raise OSError(
                f"Download of {url} failed: the SHA256 checksum of {path} "
                f"({computed}) differs from expected ({sha256})."
            )
    return path


def _extract(archive, staging, url):
    """Copy the archive's ``E###/classification/<split>.csv`` files to ``staging``.

    Members are recognised by that ending, under any top folder. The whole
    archive is read, so a corrupt, truncated or incomplete one raises OSError.
    """
    found = {}
    try:
        with tarfile.open(archive, "r:gz") as tar:
            for member in tar:
                match = _MEMBER.search(member.name)
                if match is None or not member.isfile():
                    continue
                cell_type, subset = match.groups()
                if subset in found.setdefault(cell_type, set()):
                    raise OSError(
                        f"Archive from {url} holds {cell_type}/{subset} twice."
                    )
                found[cell_type].add(subset)
                target = staging / cell_type / "classification" / f"{subset}.csv"
                target.parent.mkdir(parents=True, exist_ok=True)
                with tar.extractfile(member) as source, open(target, "wb") as sink:
                    shutil.copyfileobj(source, sink)
    except (tarfile.TarError, gzip.BadGzipFile, EOFError, zlib.error) as exc:
        raise OSError(f"Archive from {url} is corrupt: {exc!r}") from exc
    if not found:
        raise OSError(
            f"Archive from {url} holds no E###/classification/<split>.csv file."
        )
    incomplete = sorted(
        cell_type for cell_type, subsets in found.items() if set(SUBSETS) - subsets
    )
    if incomplete:
        raise OSError(
            f"Archive from {url} lacks splits of {', '.join(incomplete)}: each "
            f"cell type needs {', '.join(SUBSETS)}."
        )
