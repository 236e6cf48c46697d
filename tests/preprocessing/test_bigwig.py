"""Tests of bin_bigwig on small bigWig files written with pyBigWig."""

import gzip
import sys

import numpy as np
import pandas as pd
import pytest

from skattchrome.preprocessing import bin_bigwig

pyBigWig = pytest.importorskip("pyBigWig")

CHROM_LENGTHS = {"chr1": 1000, "chr2": 250}
FLANK, BIN_SIZE = 100, 20
GENES = pd.DataFrame(
    {
        "gene_id": ["plus", "minus", "chrom_end", "chrom_start"],
        "chrom": ["chr1", "chr1", "chr1", "chr2"],
        "tss": [500, 300, 980, 30],
        "strand": ["+", "-", "+", "-"],
    }
)


def _dense_signal(seed):
    """Per-base values of each chromosome, NaN where the track has no data."""
    rng = np.random.default_rng(seed)
    signal = {}
    for chrom, length in CHROM_LENGTHS.items():
        values = rng.integers(-3, 10, size=length).astype(float)
        values[rng.random(length) < 0.3] = np.nan
        signal[chrom] = values
    return signal


def _write_bigwig(path, signal):
    bw = pyBigWig.open(str(path), "w")
    bw.addHeader([(chrom, len(values)) for chrom, values in signal.items()])
    for chrom, values in signal.items():
        starts = np.flatnonzero(~np.isnan(values))
        bw.addEntries(
            [chrom] * len(starts),
            starts.tolist(),
            ends=(starts + 1).tolist(),
            values=values[starts].tolist(),
        )
    bw.close()
    return str(path)


def _expected(signal, genes, stat, strand_aware):
    """Bins computed base by base, the straightforward way."""
    n_bins = 2 * FLANK // BIN_SIZE
    X = np.zeros((len(genes), n_bins))
    for row, gene in enumerate(genes.itertuples()):
        values = signal[gene.chrom]
        for index in range(n_bins):
            start = gene.tss - FLANK + index * BIN_SIZE
            bases = [
                values[position]
                for position in range(start, start + BIN_SIZE)
                if 0 <= position < len(values) and not np.isnan(values[position])
            ]
            if stat == "sum":
                X[row, index] = sum(bases)
            elif stat == "mean":
                X[row, index] = sum(bases) / BIN_SIZE
            else:
                X[row, index] = max(bases, default=0.0)
        if strand_aware and gene.strand == "-":
            X[row] = X[row, ::-1]
    return X


@pytest.fixture(scope="module")
def tracks(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tracks")
    signals = {"H3K4me3": _dense_signal(0), "H3K27me3": _dense_signal(1)}
    paths = {
        mark: _write_bigwig(folder / f"{mark}.bw", signal)
        for mark, signal in signals.items()
    }
    return paths, signals


@pytest.mark.parametrize("stat", ["sum", "mean", "max"])
@pytest.mark.parametrize("strand_aware", [True, False])
def test_bins_match_base_by_base_computation(tracks, stat, strand_aware):
    paths, signals = tracks
    X, gene_ids = bin_bigwig(
        paths,
        GENES,
        flank=FLANK,
        bin_size=BIN_SIZE,
        stat=stat,
        strand_aware=strand_aware,
    )
    assert X.dtype == np.float32
    assert X.shape == (4, 10, 2)
    assert gene_ids.tolist() == GENES["gene_id"].tolist()
    for column, mark in enumerate(paths):
        expected = _expected(signals[mark], GENES, stat, strand_aware)
        np.testing.assert_allclose(X[:, :, column], expected, rtol=1e-6)


def test_hand_computed_values(tmp_path):
    ones = {"chr1": np.ones(1000), "chr2": np.full(250, 2.0)}
    ones["chr1"][490:500] = np.nan
    track = _write_bigwig(tmp_path / "flat.bw", ones)
    X, _ = bin_bigwig({"flat": track}, GENES, flank=FLANK, bin_size=BIN_SIZE)
    plus, minus, chrom_end, chrom_start = X[:, :, 0]
    # [400, 500) holds 10 bases without data: [480, 500) sums to 10.
    assert plus.tolist() == [20, 20, 20, 20, 10, 20, 20, 20, 20, 20]
    assert minus.tolist() == [20] * 10
    # Window [880, 1080) on a 1000 bp chromosome: 6 full bins, then nothing.
    assert chrom_end.tolist() == [20] * 6 + [0] * 4
    # Window [-70, 130) reversed: bins from 130 down to -70, value 2 per base.
    assert chrom_start.tolist() == [40] * 6 + [20] + [0] * 3
    X, _ = bin_bigwig(
        {"flat": track}, GENES, flank=FLANK, bin_size=BIN_SIZE, stat="mean"
    )
    assert X[0, 4, 0] == 0.5
    assert X[3, :, 0].tolist() == [2] * 6 + [1] + [0] * 3


def test_missing_chromosome(tmp_path, tracks):
    paths, signals = tracks
    only_chr1 = _write_bigwig(
        tmp_path / "chr1.bw", {"chr1": signals["H3K4me3"]["chr1"]}
    )
    bigwigs = {"H3K4me3": paths["H3K4me3"], "H3K9me3": only_chr1}
    with pytest.raises(ValueError, match=r"H3K9me3 \(.*chr1.bw\): 1 genes on chr2"):
        bin_bigwig(bigwigs, GENES, flank=FLANK, bin_size=BIN_SIZE)
    with pytest.warns(UserWarning, match="1 genes on chr2"):
        X, _ = bin_bigwig(
            bigwigs, GENES, flank=FLANK, bin_size=BIN_SIZE, missing="warn"
        )
    assert np.all(X[3, :, 1] == 0)
    expected = _expected(signals["H3K4me3"], GENES, "sum", True)
    np.testing.assert_allclose(X[:, :, 0], expected, rtol=1e-6)
    np.testing.assert_allclose(X[:3, :, 1], expected[:3], rtol=1e-6)


def test_tss_past_the_chromosome_end(tracks):
    """A TSS at or past its chromosome's end (another assembly) is not silently 0."""
    paths, signals = tracks
    genes = pd.concat(
        [
            GENES,
            pd.DataFrame(
                {
                    "gene_id": ["at_end", "past_end"],
                    "chrom": ["chr2", "chr1"],
                    "tss": [CHROM_LENGTHS["chr2"], CHROM_LENGTHS["chr1"] + 5000],
                    "strand": ["+", "-"],
                }
            ),
        ],
        ignore_index=True,
    )
    with pytest.raises(
        ValueError,
        match=r"H3K4me3 \(.*\): 2 genes with a TSS past the end of chr1, chr2; "
        r"H3K27me3",
    ):
        bin_bigwig(paths, genes, flank=FLANK, bin_size=BIN_SIZE)
    with pytest.warns(UserWarning, match="2 genes with a TSS past the end of"):
        X, _ = bin_bigwig(paths, genes, flank=FLANK, bin_size=BIN_SIZE, missing="warn")
    assert np.all(X[4:] == 0)
    expected, _ = bin_bigwig(paths, GENES, flank=FLANK, bin_size=BIN_SIZE)
    np.testing.assert_array_equal(X[:4], expected)
    # The last base of a chromosome is a valid TSS.
    last_base = GENES.assign(tss=[999, 999, 999, 249])
    X, _ = bin_bigwig(paths, last_base, flank=FLANK, bin_size=BIN_SIZE)
    expected = _expected(signals["H3K4me3"], last_base, "sum", True)
    np.testing.assert_allclose(X[:, :, 0], expected, rtol=1e-6)


@pytest.mark.parametrize("stat", ["sum", "max"])
def test_bins_match_pybigwig_stats(tracks, stat):
    """Bins inside the chromosome equal pyBigWig's exact binned statistics."""
    paths, _ = tracks
    inside = GENES.iloc[:2]
    X, _ = bin_bigwig(
        paths, inside, flank=FLANK, bin_size=BIN_SIZE, stat=stat, strand_aware=False
    )
    n_bins = 2 * FLANK // BIN_SIZE
    for column, path in enumerate(paths.values()):
        with pyBigWig.open(path) as track:
            for row, gene in enumerate(inside.itertuples()):
                figures = track.stats(
                    gene.chrom,
                    gene.tss - FLANK,
                    gene.tss + FLANK,
                    type=stat,
                    nBins=n_bins,
                    exact=True,
                )
                expected = [0.0 if figure is None else figure for figure in figures]
                np.testing.assert_allclose(X[row, :, column], expected, rtol=1e-6)


def _bed_lines(genes):
    lines = ["track name=tss\n", "# comment\n"]
    for gene in genes.itertuples():
        start = gene.tss if gene.strand == "+" else gene.tss - 999
        end = gene.tss + 1000 if gene.strand == "+" else gene.tss + 1
        lines.append(
            f"{gene.chrom}\t{start}\t{end}\t{gene.gene_id}\t0\t{gene.strand}\n"
        )
    return "".join(lines)


def _gtf_lines(genes):
    lines = ["#!genome-build test\n"]
    for gene in genes.itertuples():
        # GTF is 1-based and closed: the TSS base tss (0-based) is tss + 1.
        start = gene.tss + 1 if gene.strand == "+" else gene.tss - 998
        end = gene.tss + 1000 if gene.strand == "+" else gene.tss + 1
        attributes = f'gene_id "{gene.gene_id}"; gene_name "G";'
        for feature in ("gene", "exon"):
            lines.append(
                f"{gene.chrom}\ttest\t{feature}\t{start}\t{end}\t.\t{gene.strand}"
                f"\t.\t{attributes}\n"
            )
    return "".join(lines)


@pytest.mark.parametrize(
    ("name", "write"),
    [
        ("tss.bed", _bed_lines),
        ("tss.bed.gz", _bed_lines),
        ("genes.gtf", _gtf_lines),
        ("genes.gtf.gz", _gtf_lines),
    ],
)
def test_bed_and_gtf_inputs(tmp_path, tracks, name, write):
    paths, _ = tracks
    genes = GENES.iloc[:3]
    path = tmp_path / name
    text = write(genes).encode()
    path.write_bytes(gzip.compress(text) if name.endswith(".gz") else text)
    X, gene_ids = bin_bigwig(paths, path, flank=FLANK, bin_size=BIN_SIZE)
    expected, _ = bin_bigwig(paths, genes, flank=FLANK, bin_size=BIN_SIZE)
    assert gene_ids.tolist() == ["plus", "minus", "chrom_end"]
    np.testing.assert_array_equal(X, expected)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"flank": 110}, r"flank \(110\) must be a multiple of bin_size \(20\)"),
        ({"flank": 0}, "flank must be positive"),
        ({"bin_size": -5}, "bin_size must be positive"),
        ({"bin_size": 2.5}, "bin_size must be an integer"),
        ({"stat": "median"}, "stat must be one of"),
        ({"missing": "ignore"}, "missing must be 'raise' or 'warn'"),
    ],
)
def test_invalid_parameters(tracks, kwargs, message):
    paths, _ = tracks
    parameters = {"flank": FLANK, "bin_size": BIN_SIZE, **kwargs}
    with pytest.raises(ValueError, match=message):
        bin_bigwig(paths, GENES, **parameters)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda genes: genes.drop(columns="strand"), "lacks the column"),
        (lambda genes: genes.assign(strand=["+", ".", "+", "-"]), r"\['minus'\]"),
        (lambda genes: genes.assign(tss=[500, -1, 980, 30]), "non-negative integer"),
        (lambda genes: genes.assign(tss=[500.5, 3, 980, 30]), "non-negative integer"),
        (lambda genes: genes.assign(gene_id=["a", "b", "a", "c"]), r"duplicated.*'a'"),
        (lambda genes: genes.assign(chrom=["chr1", None, "chr1", "chr2"]), "missing"),
    ],
)
def test_invalid_tss_table(tracks, change, message):
    paths, _ = tracks
    with pytest.raises(ValueError, match=message):
        bin_bigwig(paths, change(GENES), flank=FLANK, bin_size=BIN_SIZE)


def test_invalid_tss_files(tmp_path, tracks):
    paths, _ = tracks
    bed4 = tmp_path / "short.bed"
    bed4.write_text("chr1\t10\t20\tg1\n")
    with pytest.raises(ValueError, match="has 4 columns; a BED6 file"):
        bin_bigwig(paths, bed4)
    other = tmp_path / "genes.txt"
    other.write_text("chr1\t10\t20\tg1\t0\t+\n")
    with pytest.raises(ValueError, match="Cannot tell the format"):
        bin_bigwig(paths, other)
    no_genes = tmp_path / "exons.gtf"
    no_genes.write_text('chr1\tt\texon\t1\t10\t.\t+\t.\tgene_id "g";\n')
    with pytest.raises(ValueError, match="has no 'gene' records"):
        bin_bigwig(paths, no_genes)


def test_empty_bigwigs_mapping():
    with pytest.raises(ValueError, match="bigwigs is empty"):
        bin_bigwig({}, GENES)


def test_missing_pybigwig_names_the_extra(monkeypatch, tracks):
    monkeypatch.setitem(sys.modules, "pyBigWig", None)
    with pytest.raises(ImportError, match=r"pip install skattchrome\[bigwig\]"):
        bin_bigwig(tracks[0], GENES)


def test_a_track_without_data_warns_and_gives_zeros(tracks, tmp_path):
    paths, _ = tracks
    empty = str(tmp_path / "empty.bw")
    bw = pyBigWig.open(empty, "w")
    bw.addHeader(list(CHROM_LENGTHS.items()))
    bw.close()
    with pytest.warns(UserWarning, match=r"H3K9me3 \(.*empty.bw\) holds no data"):
        X, _ = bin_bigwig(
            {"H3K4me3": paths["H3K4me3"], "H3K9me3": empty},
            GENES,
            flank=FLANK,
            bin_size=BIN_SIZE,
        )
    np.testing.assert_array_equal(X[:, :, 1], 0.0)
    assert X[:, :, 0].any()


def test_tracks_that_cannot_be_opened_are_named(tmp_path, tracks):
    # pyBigWig's RuntimeError ("Received an error during file opening!") named
    # neither the mark nor the file, and a list of files a TypeError of indexing.
    paths, _ = tracks
    text = tmp_path / "H3K4me3.bw"
    text.write_text("not a bigWig\n")
    with pytest.raises(TypeError, match=r"^bigwigs must be a mapping of mark name"):
        bin_bigwig(list(paths.values()), GENES, flank=FLANK, bin_size=BIN_SIZE)
    with pytest.raises(FileNotFoundError, match=r"^bigwigs\['H3K9me3'\]: no such file"):
        bin_bigwig(
            {**paths, "H3K9me3": tmp_path / "nope.bw"},
            GENES,
            flank=FLANK,
            bin_size=BIN_SIZE,
        )
    with pytest.raises(ValueError, match=r"^bigwigs\['H3K4me3'\]: .* is not a file"):
        bin_bigwig({"H3K4me3": tmp_path}, GENES, flank=FLANK, bin_size=BIN_SIZE)
    with pytest.raises(ValueError, match=r"^bigwigs\['H3K4me3'\]: .* not a bigWig"):
        bin_bigwig({"H3K4me3": text}, GENES, flank=FLANK, bin_size=BIN_SIZE)


def test_strand_aware_must_be_a_bool(tracks):
    # "no" is true to Python: the minus-strand genes were reversed.
    paths, _ = tracks
    with pytest.raises(ValueError, match=r"^strand_aware must be True or False"):
        bin_bigwig(paths, GENES, flank=FLANK, bin_size=BIN_SIZE, strand_aware="no")
