"""read_tss: each gene's TSS, chromosome and strand from a table, BED or GTF."""

import gzip

import numpy as np
import pandas as pd
import pytest

from skattchrome.model_selection import ChromosomeKFold
from skattchrome.preprocessing import read_tss

GENES = pd.DataFrame(
    {
        "gene_id": ["plus", "minus", "other", "unplaced"],
        "chrom": ["chr1", "chr1", "chrX", "chrUn_KI270302v1"],
        "tss": [500, 3000, 0, 42],
        "strand": ["+", "-", "+", "-"],
    }
)


def _bed(genes):
    lines = ["browser position chr1:1-1000\n", "track name=tss\n", "# genes\n"]
    for gene in genes.itertuples():
        # A gene body of 1 kb: the TSS is the first base on its strand.
        start = gene.tss if gene.strand == "+" else gene.tss - 999
        end = gene.tss + 1000 if gene.strand == "+" else gene.tss + 1
        lines.append(
            f"{gene.chrom}\t{max(start, 0)}\t{end}\t{gene.gene_id}\t0\t{gene.strand}"
            "\textra\n"
        )
    return "".join(lines)


def _gtf(genes):
    lines = ["#!genome-build test\n"]
    for gene in genes.itertuples():
        # GTF is 1-based and closed: the 0-based TSS base tss is tss + 1.
        start = gene.tss + 1 if gene.strand == "+" else max(gene.tss - 998, 1)
        end = gene.tss + 1000 if gene.strand == "+" else gene.tss + 1
        attributes = f'gene_id "{gene.gene_id}"; gene_name "name; with ;";'
        for feature in ("gene", "transcript", "exon"):
            lines.append(
                f"{gene.chrom}\tsrc\t{feature}\t{start}\t{end}\t.\t{gene.strand}"
                f"\t.\t{attributes}\n"
            )
    return "".join(lines)


def _write(path, text):
    data = text.encode()
    path.write_bytes(gzip.compress(data) if path.name.endswith(".gz") else data)
    return path


@pytest.mark.parametrize(
    ("name", "write"),
    [
        ("genes.bed", _bed),
        ("genes.BED.gz", _bed),
        ("genes.gtf", _gtf),
        ("genes.gtf.gz", _gtf),
    ],
)
def test_bed_and_gtf_give_the_table(tmp_path, name, write):
    path = _write(tmp_path / name, write(GENES))
    for source in (path, str(path)):
        genes = read_tss(source)
        pd.testing.assert_frame_equal(genes, GENES)
        assert genes["tss"].dtype == np.int64


def test_dataframe_is_checked_and_normalised():
    table = GENES.assign(
        chrom=[1, 1, "X", "Un"], tss=[500.0, 3000.0, 0.0, 42.0], rpkm=[1, 2, 3, 4]
    ).set_index(pd.Index([10, 11, 12, 13]))
    genes = read_tss(table)
    assert genes.columns.tolist() == ["gene_id", "chrom", "tss", "strand"]
    assert genes.index.equals(pd.RangeIndex(4))
    assert genes["chrom"].tolist() == ["1", "1", "X", "Un"]
    assert genes["tss"].dtype == np.int64
    assert genes["tss"].tolist() == [500, 3000, 0, 42]
    # The caller's table is not changed.
    assert table["chrom"].tolist() == [1, 1, "X", "Un"]


def test_chromosome_names_are_kept_as_written(tmp_path):
    path = _write(tmp_path / "ensembl.bed", "1\t10\t20\tg1\t0\t+\nMT\t5\t9\tg2\t0\t-\n")
    assert read_tss(path)["chrom"].tolist() == ["1", "MT"]


def test_chromosomes_as_groups_of_selected_genes(tmp_path):
    path = _write(tmp_path / "genes.bed", _bed(GENES))
    # Genes with a measured expression, in another order than the file.
    rpkm = pd.Series([4.0, 0.5, 2.0], index=["other", "plus", "unplaced"])
    groups = read_tss(path).set_index("gene_id").loc[rpkm.index, "chrom"]
    assert groups.tolist() == ["chrX", "chr1", "chrUn_KI270302v1"]
    folds = ChromosomeKFold(3).split(np.zeros((3, 1)), groups=groups)
    assert sorted(rpkm.index[test].item() for _, test in folds) == sorted(rpkm.index)


def test_same_genes_and_order_as_bin_bigwig(tmp_path):
    pyBigWig = pytest.importorskip("pyBigWig")
    from skattchrome.preprocessing import bin_bigwig

    track = str(tmp_path / "mark.bw")
    with pyBigWig.open(track, "w") as bw:
        bw.addHeader([("chr1", 5000), ("chrX", 5000), ("chrUn_KI270302v1", 5000)])
        bw.addEntries(["chr1"], [495], ends=[505], values=[1.0])
    path = _write(tmp_path / "genes.gtf", _gtf(GENES.iloc[::-1]))
    _, gene_ids = bin_bigwig({"mark": track}, path, flank=20, bin_size=10)
    genes = read_tss(path)
    assert genes["gene_id"].tolist() == gene_ids.tolist()
    assert genes["gene_id"].tolist() == ["unplaced", "other", "minus", "plus"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda genes: genes.drop(columns=["chrom", "tss"]), r"column\(s\) chrom, tss"),
        (lambda genes: genes.assign(strand=["+", ".", "+", "-"]), r"\['minus'\]"),
        (lambda genes: genes.assign(tss=[500, -1, 0, 42]), "non-negative integer"),
        (lambda genes: genes.assign(tss=[500.5, 3, 0, 42]), "non-negative integer"),
        (lambda genes: genes.assign(tss=["a", 3, 0, 42]), "non-negative integer"),
        (
            lambda genes: genes.assign(gene_id=["a", "b", "a", "c"]),
            r"duplicated gene ids \['a'\]",
        ),
        (
            lambda genes: genes.assign(chrom=["chr1", None, "chrX", np.nan]),
            r"missing values in rows \[1, 3\]",
        ),
    ],
)
def test_invalid_table(change, message):
    with pytest.raises(ValueError, match=message):
        read_tss(change(GENES))


def test_invalid_files(tmp_path):
    bed4 = _write(tmp_path / "short.bed", "chr1\t10\t20\tg1\n")
    with pytest.raises(ValueError, match="has 4 columns; a BED6 file"):
        read_tss(bed4)
    other = _write(tmp_path / "genes.txt", "chr1\t10\t20\tg1\t0\t+\n")
    with pytest.raises(ValueError, match=r"Cannot tell the format of .*genes\.txt"):
        read_tss(other)
    exons = _write(
        tmp_path / "exons.gtf", 'chr1\tt\texon\t1\t10\t.\t+\t.\tgene_id "g";\n'
    )
    with pytest.raises(ValueError, match="has no 'gene' records"):
        read_tss(exons)
    no_id = _write(tmp_path / "no_id.gtf", 'chr1\tt\tgene\t1\t10\t.\t+\t.\tname "g";\n')
    with pytest.raises(ValueError, match="gene records without a gene_id"):
        read_tss(no_id)
    bad_strand = _write(tmp_path / "strand.bed", "chr1\t10\t20\tg1\t0\t.\n")
    with pytest.raises(ValueError, match=r"strand\.bed: strand must be"):
        read_tss(bad_strand)
    with pytest.raises(FileNotFoundError):
        read_tss(tmp_path / "absent.bed")


@pytest.mark.parametrize("tss", [None, 3, {"gene_id": ["a"]}])
def test_neither_table_nor_path(tss):
    with pytest.raises(TypeError, match="tss must be a DataFrame or the path"):
        read_tss(tss)


BED_LINE = "chr1\t100\t900\tA\t0\t+\n"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.bed", b"", r"empty\.bed: no records; the file is empty or holds"),
        ("comments.gtf", b"# one\ntrack x\n\n", r"comments\.gtf: no records"),
        (
            "header.bed",
            b"chrom\tstart\tend\tname\tscore\tstrand\n" + BED_LINE.encode(),
            r"header\.bed, line 1: start 'start' is not an integer .*a header line",
        ),
        (
            "binary.bed",
            BED_LINE.encode() + bytes(range(128, 256)),
            r"binary\.bed, line 2: not text",
        ),
        ("gzipped.bed", gzip.compress(BED_LINE.encode()), r"line 1: not text"),
        ("plain.bed.gz", BED_LINE.encode(), r"plain\.bed\.gz: not a readable gzip"),
        (
            "ragged.bed",
            ("# genes\n" + BED_LINE + "chr1\t5\t9\tB\n").encode(),
            r"ragged\.bed, line 3: has 4 columns; a BED6 file",
        ),
        (
            "ragged.gtf",
            b'chr1\tt\tgene\t1\t10\t.\t+\t.\tgene_id "g";\tmore\n',
            r"ragged\.gtf, line 1: has 10 columns; a GTF line has 9",
        ),
        (
            "reversed.bed",
            (BED_LINE + "chr1\t900\t100\tB\t0\t+\n").encode(),
            r"reversed\.bed, line 2: start 900 is after end 100",
        ),
        (
            "huge.bed",
            f"chr1\t{2**63}\t{2**64}\tA\t0\t+\n".encode(),
            r"huge\.bed, line 1: start '9223372036854775808' is not an integer within",
        ),
        (
            "negative.bed",
            b"chr1\t-5\t10\tA\t0\t+\n",
            r"tss must be a non-negative .* genes \['A'\] \(lines \[1\]\) have \[-5\]",
        ),
        (
            "zero.gtf",
            b'chr1\tt\tgene\t0\t10\t.\t+\t.\tgene_id "g";\n',
            r"zero\.gtf: tss must be a non-negative .* \(lines \[1\]\) have \[-1\]",
        ),
        (
            "duplicates.bed",
            ("# genes\n" + BED_LINE + BED_LINE).encode(),
            r"duplicated gene ids \['A'\] \(lines \[2, 3\]\)",
        ),
        (
            "strand.gtf",
            b'#!x\nchr1\tt\tgene\t1\t10\t.\t.\t.\tgene_id "g";\n',
            r"strand must be .* \(lines \[2\]\)",
        ),
    ],
)
def test_malformed_files_are_named_with_the_line(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ValueError, match=message):
        read_tss(path)


def test_a_tss_beyond_int64_is_refused_not_wrapped():
    for tss in (2**63, 2**70, 1e30):
        with pytest.raises(ValueError, match=r"within int64; genes \['plus'\]"):
            read_tss(GENES.assign(tss=pd.Series([tss, 3, 0, 42], dtype=object)))


def test_empty_fields_and_empty_tables_are_refused(tmp_path):
    # An empty name or chromosome field of a BED line was a gene "" on a
    # chromosome "", and a DataFrame without rows an empty table.
    bed = tmp_path / "genes.bed"
    bed.write_text("chr1\t10\t11\tg1\t0\t+\nchr1\t20\t21\t\t0\t+\n\t30\t31\tg3\t0\t-\n")
    with pytest.raises(ValueError, match=r"genes.bed: missing values in lines \[2, 3"):
        read_tss(bed)
    with pytest.raises(ValueError, match=r"^tss: missing values in rows \[1\]"):
        read_tss(GENES.assign(gene_id=["a", " ", "c", "d"]))
    with pytest.raises(ValueError, match=r"^tss has no genes"):
        read_tss(GENES.iloc[:0])
    with pytest.raises(ValueError, match="tss must be a non-negative integer"):
        read_tss(GENES.assign(tss=[True, False, True, False]))
