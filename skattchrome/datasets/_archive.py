"""Download and cache the published 56-cell-type AttentiveChrome archive."""

import gzip
import hashlib
import http.client
import os
import re
import shutil
import tarfile
import tempfile
import time
import urllib.request
import zlib
from pathlib import Path

import pandas as pd
from sklearn.datasets import get_data_home
from tqdm.auto import tqdm

from ._remc import SUBSETS, load_remc

ARCHIVE_URL = "https://zenodo.org/records/2652278/files/data.tar.gz?download=1"
"""The published archive: Zenodo record 2652278, ``data.tar.gz``."""

ARCHIVE_MD5 = None
"""MD5 of the published archive; None because no trusted value was found."""

URL_VARIABLE = "SKATTCHROME_REMC_URL"
"""Environment variable that replaces :data:`ARCHIVE_URL` (mirrors, tests)."""

CACHE_FOLDER = "remc"
"""Sub-folder of the scikit-learn data home that holds the extracted archive."""

_CHUNK_SIZE = 1 << 20
_TIMEOUT = 60
_DOWNLOAD_PREFIX = ".remc-download-"
_STAGING_PREFIX = ".remc-extract-"
# An install that was killed (SIGKILL, power loss) leaves its temporaries
# behind; the next install removes those that nothing has written to for this
# long. A running download writes to its file every chunk and an extraction
# adds folders to its staging folder, so they are never this old.
_STALE_SECONDS = 24 * 3600
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
    return pd.DataFrame(
        {"cell_type": list(_CELL_TYPES), "name": list(_CELL_TYPES.values())}
    )


def fetch_remc(
    cell_type="E003",
    subset="train",
    *,
    data_home=None,
    download_if_missing=True,
    return_X_y=False,
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
    progress : bool, default=None
        Show a progress bar while downloading. None shows it only on a
        terminal.

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
        If the download fails or the archive is corrupt, incomplete or not in
        the expected layout. Nothing is left in the cache in that case.

    See Also
    --------
    load_remc : Load a file or folder in the same layout.
    cell_types : The valid cell types and their names.

    Notes
    -----
    The download goes to a temporary file in the cache folder and is
    extracted into a temporary folder, which is renamed to ``remc`` only once
    the whole archive was read and holds ``E###/classification/{train,valid,
    test}.csv`` for every cell type it contains; any failure removes the
    temporaries. Temporaries left by an install that was killed outright are
    removed by the next download once nothing has written to them for a day.
    The environment variable ``SKATTCHROME_REMC_URL`` replaces the download
    URL (for a mirror); the published checksum is then not applied. No
    checksum of the published archive is known to this package
    (``ARCHIVE_MD5`` is None), so only the layout is verified.

    References
    ----------
    .. [1] R. Singh, J. Lanchantin, A. Sekhon and Y. Qi, "Attend and Predict:
       Understanding Gene Regulation by Selective Attention on Chromatin",
       NeurIPS 2017. Data: https://zenodo.org/records/2652278

    Examples
    --------
    >>> from skattchrome.datasets import fetch_remc
    >>> fetch_remc("E000")
    Traceback (most recent call last):
    ...
    ValueError: Unknown cell type 'E000'; valid cell types are E003, E004, ...
    """
    if cell_type not in _CELL_TYPES:
        raise ValueError(
            f"Unknown cell type {cell_type!r}; valid cell types are "
            f"{', '.join(_CELL_TYPES)} (see cell_types())."
        )
    if subset not in SUBSETS:
        raise ValueError(f"subset must be one of {SUBSETS}, got {subset!r}.")
    home = Path(get_data_home(data_home))
    cache = home / CACHE_FOLDER
    if not cache.is_dir():
        if not download_if_missing:
            raise FileNotFoundError(
                f"The AttentiveChrome archive is not in {cache} and "
                "download_if_missing is False."
            )
        _install_archive(home, cache, progress)
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


def _install_archive(home, cache, progress):
    """Download, verify and extract the archive, then move it to ``cache``."""
    url = os.environ.get(URL_VARIABLE) or ARCHIVE_URL
    expected_md5 = ARCHIVE_MD5 if url == ARCHIVE_URL else None
    _remove_stale_temporaries(home)
    download = tempfile.NamedTemporaryFile(
        dir=home, prefix=_DOWNLOAD_PREFIX, suffix=".tar.gz", delete=False
    )
    staging = Path(tempfile.mkdtemp(dir=home, prefix=_STAGING_PREFIX))
    try:
        with download:
            _download(url, download, expected_md5, progress)
        _extract(download.name, staging, url)
        try:
            staging.rename(cache)
        except OSError:
            if not cache.is_dir():
                raise
    finally:
        Path(download.name).unlink(missing_ok=True)
        shutil.rmtree(staging, ignore_errors=True)


def _remove_stale_temporaries(home):
    """Remove temporaries of killed installs, untouched for ``_STALE_SECONDS``."""
    oldest = time.time() - _STALE_SECONDS
    for prefix in (_DOWNLOAD_PREFIX, _STAGING_PREFIX):
        for path in home.glob(f"{prefix}*"):
            try:
                if path.stat().st_mtime >= oldest:
                    continue
            except FileNotFoundError:
                continue
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)


def _download(url, destination, expected_md5, progress):
    """Stream ``url`` into the open binary file ``destination``, verified.

    Raises OSError when the connection breaks, fewer bytes than announced
    arrive, or the MD5 differs from ``expected_md5`` (when not None).
    """
    digest = hashlib.md5(usedforsecurity=False)
    received = 0
    try:
        with urllib.request.urlopen(url, timeout=_TIMEOUT) as response:
            length = response.headers.get("Content-Length")
            expected_size = int(length) if length is not None else None
            with tqdm(
                total=expected_size,
                unit="B",
                unit_scale=True,
                desc="Downloading AttentiveChrome data",
                disable=None if progress is None else not progress,
            ) as bar:
                while chunk := response.read(_CHUNK_SIZE):
                    destination.write(chunk)
                    digest.update(chunk)
                    received += len(chunk)
                    bar.update(len(chunk))
    except (OSError, ValueError, http.client.HTTPException) as exc:
        raise OSError(f"Download of {url} failed: {exc!r}") from exc
    if expected_size is not None and received != expected_size:
        raise OSError(
            f"Download of {url} is incomplete: {received} of {expected_size} bytes."
        )
    if expected_md5 is not None and digest.hexdigest() != expected_md5:
        raise OSError(
            f"Download of {url} is corrupt: MD5 {digest.hexdigest()}, expected "
            f"{expected_md5}."
        )


def _extract(archive, staging, url):
    """Copy ``E###/classification/*.csv`` of the archive to ``staging``.

    The top folder of the archive is not assumed: members are recognised by
    their ``E###/classification/{train,valid,test}.csv`` ending. The whole
    archive is read, so a truncated or corrupt archive raises OSError, as does
    an archive without that layout.
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
