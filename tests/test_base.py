"""The shared base classes of the estimators."""

import pytest

from skattchrome._base import NeuralChromatinClassifier


def test_a_neural_classifier_must_build_its_module():
    class WithoutModule(NeuralChromatinClassifier):
        pass

    with pytest.raises(TypeError, match="abstract method _build_module"):
        WithoutModule()
