"""ChromosomeKFold: whole chromosomes held out, folds balanced by gene count."""

import numpy as np
import pandas as pd
import pytest
import sklearn
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import (
    GridSearchCV,
    GroupKFold,
    cross_val_predict,
    cross_validate,
)
from sklearn.utils.fixes import parse_version

from skattchrome.datasets import make_chromatin_data
from skattchrome.model_selection import ChromosomeKFold

# Roughly the protein-coding genes of each GRCh38 chromosome: a genome-wide
# distribution, one chromosome ten times another's size.
GENOME_GENE_COUNTS = {
    "chr1": 2058, "chr2": 1309, "chr3": 1078, "chr4": 752, "chr5": 876,
    "chr6": 1048, "chr7": 989, "chr8": 677, "chr9": 786, "chr10": 733,
    "chr11": 1298, "chr12": 1036, "chr13": 321, "chr14": 820, "chr15": 616,
    "chr16": 862, "chr17": 1188, "chr18": 270, "chr19": 1474, "chr20": 544,
    "chr21": 232, "chr22": 439, "chrX": 842, "chrY": 63, "chrM": 13,
}  # fmt: skip


def _genome_chromosomes(seed=0):
    names = np.repeat(list(GENOME_GENE_COUNTS), list(GENOME_GENE_COUNTS.values()))
    return np.random.default_rng(seed).permutation(names)


def _real_chromosomes(test_data):
    return pd.read_csv(test_data / "deepdiff" / "genes.csv")["chrom"].to_numpy()


def _fold_sizes(cv, chromosomes):
    X = np.zeros((len(chromosomes), 1))
    return np.array([len(test) for _, test in cv.split(X, groups=chromosomes)])


def _check_whole_chromosomes(cv, chromosomes):
    """Every gene tested once; no chromosome on both sides of a fold."""
    X = np.zeros((len(chromosomes), 1))
    tested = []
    for train, test in cv.split(X, groups=chromosomes):
        assert len(test) and len(train)
        assert not set(chromosomes[train]) & set(chromosomes[test])
        np.testing.assert_array_equal(
            np.sort(np.concatenate([train, test])), np.arange(len(chromosomes))
        )
        tested.append(test)
    assert len(tested) == cv.get_n_splits()
    np.testing.assert_array_equal(
        np.sort(np.concatenate(tested)), np.arange(len(chromosomes))
    )


@pytest.mark.parametrize("n_splits", [2, 3, 5, 10])
def test_whole_chromosomes_are_held_out(n_splits):
    chromosomes = _genome_chromosomes()
    _check_whole_chromosomes(ChromosomeKFold(n_splits), chromosomes)


def test_whole_chromosomes_are_held_out_on_real_genes(test_data):
    _check_whole_chromosomes(ChromosomeKFold(5), _real_chromosomes(test_data))


@pytest.mark.parametrize("n_splits", [3, 5])
def test_folds_are_balanced_on_a_genome(n_splits):
    sizes = _fold_sizes(ChromosomeKFold(n_splits), _genome_chromosomes())
    mean = sum(GENOME_GENE_COUNTS.values()) / n_splits
    # Measured: within 0.5 % of the mean for 3 folds, 3.2 % for 5.
    assert np.abs(sizes / mean - 1).max() < 0.04


def test_folds_are_balanced_on_real_genes(test_data):
    chromosomes = _real_chromosomes(test_data)
    counts = pd.Series(chromosomes).value_counts()
    assert len(chromosomes) == 200 and counts.iloc[0] == 42  # chr7
    # 200 genes in 5 folds of 40, but chr7 alone has 42: one fold must hold
    # at least 42 genes, and the others then share the remaining 158.
    sizes = _fold_sizes(ChromosomeKFold(5), chromosomes)
    assert sizes.max() == 42
    assert sizes.min() >= 39
    assert sorted(_fold_sizes(ChromosomeKFold(3), chromosomes)) == [66, 67, 67]


@pytest.mark.skipif(
    parse_version(sklearn.__version__) < parse_version("1.9"),
    reason="GroupKFold orders equal groups by a stable sort from scikit-learn 1.9",
)
@pytest.mark.parametrize("n_splits", [3, 5, 7])
def test_same_folds_as_group_kfold(n_splits):
    # Many chromosomes with equal gene counts: the tie rule matters.
    chromosomes = np.repeat([f"chr{i}" for i in range(1, 23)], [5, 3] * 11)
    X = np.zeros((len(chromosomes), 1))
    ours = ChromosomeKFold(n_splits).split(X, groups=chromosomes)
    theirs = GroupKFold(n_splits).split(X, groups=chromosomes)
    for (train, test), (expected_train, expected_test) in zip(
        ours, theirs, strict=True
    ):
        np.testing.assert_array_equal(train, expected_train)
        np.testing.assert_array_equal(test, expected_test)


def test_ties_are_taken_in_reverse_order_of_names():
    chromosomes = np.array(["a", "b", "c", "d", "e", "f"])
    tested = [
        chromosomes[test].tolist()
        for _, test in ChromosomeKFold(3).split(np.zeros((6, 1)), groups=chromosomes)
    ]
    assert tested == [["c", "f"], ["b", "e"], ["a", "d"]]


def test_folds_do_not_depend_on_the_order_of_the_genes():
    chromosomes = _genome_chromosomes(seed=0)
    X = np.zeros((len(chromosomes), 1))

    def test_chromosomes(names):
        return [
            sorted(set(names[test]))
            for _, test in ChromosomeKFold(5).split(X, groups=names)
        ]

    first = test_chromosomes(chromosomes)
    assert first == test_chromosomes(chromosomes)
    assert first == test_chromosomes(_genome_chromosomes(seed=1))


def test_integer_and_string_names_of_a_chromosome_are_one_chromosome():
    chromosomes = pd.Series([1, "1", 2, 2, "X"], dtype=object)
    folds = [
        test.tolist()
        for _, test in ChromosomeKFold(3).split(np.zeros((5, 1)), groups=chromosomes)
    ]
    assert sorted(folds) == [[0, 1], [2, 3], [4]]


@pytest.fixture(scope="module")
def genes():
    X, y = make_chromatin_data(n_genes=300, n_bins=10, random_state=0)
    chromosomes = np.random.default_rng(0).choice([f"chr{i}" for i in range(8)], 300)
    return np.log1p(X.sum(axis=1)), y, chromosomes


def test_cross_validate_with_chromosomes_as_groups(genes):
    features, y, chromosomes = genes
    scores = cross_validate(
        LogisticRegression(),
        features,
        y,
        groups=chromosomes,
        cv=ChromosomeKFold(4),
        scoring="roc_auc",
        return_indices=True,
    )
    assert scores["test_score"].shape == (4,)
    assert (scores["test_score"] > 0.7).all()
    for train, test in zip(*scores["indices"].values(), strict=True):
        assert not set(chromosomes[train]) & set(chromosomes[test])


def test_cross_val_predict_and_grid_search_with_groups(genes):
    features, y, chromosomes = genes
    predicted = cross_val_predict(
        LogisticRegression(), features, y, groups=chromosomes, cv=ChromosomeKFold(4)
    )
    assert predicted.shape == y.shape
    search = GridSearchCV(
        LogisticRegression(), {"C": [0.1, 1.0]}, cv=ChromosomeKFold(4)
    ).fit(features, y, groups=chromosomes)
    assert search.n_splits_ == 4
    assert "split3_test_score" in search.cv_results_
    with pytest.raises(ValueError, match="pass each gene's chromosome as groups="):
        GridSearchCV(LogisticRegression(), {"C": [1.0]}, cv=ChromosomeKFold(4)).fit(
            features, y
        )


def test_groups_are_routed_as_metadata(genes):
    features, y, chromosomes = genes
    cv = ChromosomeKFold(4)
    assert cv.get_metadata_routing().split.requests == {"groups": True}
    with sklearn.config_context(enable_metadata_routing=True):
        routed = cross_validate(
            LogisticRegression(),
            features,
            y,
            params={"groups": chromosomes},
            cv=cv,
            return_indices=True,
        )
    expected = [test for _, test in cv.split(features, groups=chromosomes)]
    for test, expected_test in zip(routed["indices"]["test"], expected, strict=True):
        np.testing.assert_array_equal(test, expected_test)


def test_repr_and_number_of_splits():
    cv = ChromosomeKFold(3)
    assert repr(cv) == "ChromosomeKFold(n_splits=3)"
    assert cv.get_n_splits() == 3
    assert ChromosomeKFold().get_n_splits() == 5


def test_missing_groups():
    with pytest.raises(ValueError, match="pass each gene's chromosome as groups="):
        ChromosomeKFold(2).split(np.zeros((4, 1)))


def test_fewer_chromosomes_than_folds_names_both_numbers():
    chromosomes = ["chr1", "chr1", "chr2", "chrX"]
    with pytest.raises(
        ValueError,
        match=r"n_splits=5\) needs at least 5 chromosomes.*groups has 3: "
        r"\['chr1', 'chr2', 'chrX'\]",
    ):
        ChromosomeKFold(5).split(np.zeros((4, 1)), groups=chromosomes)


def test_groups_of_the_wrong_length():
    with pytest.raises(ValueError, match="groups has 3 chromosomes but X has 4 genes"):
        ChromosomeKFold(2).split(np.zeros((4, 1)), groups=["chr1", "chr2", "chr3"])
    with pytest.raises(ValueError, match="one-dimensional"):
        ChromosomeKFold(2).split(np.zeros((4, 1)), groups=np.zeros((4, 2)))
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        ChromosomeKFold(2).split(
            np.zeros((4, 1)), y=[0, 1, 0], groups=["chr1", "chr1", "chr2", "chr2"]
        )


@pytest.mark.parametrize("missing", [None, np.nan, pd.NA, "", " "])
def test_genes_without_a_chromosome(missing):
    chromosomes = pd.Series(["chr1", missing, "chr2", "chr3"], dtype=object)
    with pytest.raises(
        ValueError, match=r"no chromosome .* for 1 genes, at positions \[1\]"
    ):
        ChromosomeKFold(2).split(np.zeros((4, 1)), groups=chromosomes)


def test_names_with_and_without_chr_are_not_merged():
    chromosomes = ["chr1", "1", "chr2", "2", "chrX"]
    message = (
        r"'1' and 'chr1' \(with and without the 'chr' prefix\), '2' and 'chr2' "
        r"\(with and without the 'chr' prefix\)"
    )
    with pytest.raises(ValueError, match=message):
        ChromosomeKFold(2).split(np.zeros((5, 1)), groups=chromosomes)


@pytest.mark.parametrize(
    ("chromosomes", "difference"),
    [
        (["chr1", "Chr1", "chr2"], r"'Chr1' and 'chr1' \(in upper and lower case\)"),
        (["chrX", "chrx", "chr2"], r"'chrX' and 'chrx' \(in upper and lower case\)"),
        (
            ["Chr1", "1", "chr2"],
            r"'1' and 'Chr1' \(with and without the 'chr' prefix\)",
        ),
        (
            ["CHR1", "1", "chr1", "chr2"],
            r"'1' and 'CHR1' and 'chr1' \(with and without the 'chr' prefix and in "
            r"upper and lower case\)",
        ),
    ],
)
def test_names_that_differ_in_case_are_refused_saying_so(chromosomes, difference):
    with pytest.raises(ValueError, match=f"more than one way: {difference}"):
        ChromosomeKFold(2).split(np.zeros((len(chromosomes), 1)), groups=chromosomes)


def test_whitespace_around_names_is_ignored():
    chromosomes = np.array(["chr1 ", "chr1", " chr2", "chr2", "chr3\t"])
    folds = [
        test for _, test in ChromosomeKFold(2).split(chromosomes, groups=chromosomes)
    ]
    assert [chromosomes[test].tolist() for test in folds] == [
        [" chr2", "chr2", "chr3\t"],
        ["chr1 ", "chr1"],
    ]


@pytest.mark.parametrize(
    ("n_splits", "message"),
    [
        (1, "n_splits must be at least 2"),
        (0, "n_splits must be at least 2"),
        (2.5, "n_splits must be an integer"),
        (True, "n_splits must be an integer"),
        ("5", "n_splits must be an integer"),
    ],
)
def test_invalid_n_splits(n_splits, message):
    with pytest.raises(ValueError, match=message):
        ChromosomeKFold(n_splits)
