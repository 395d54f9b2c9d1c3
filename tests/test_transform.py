"""The one distribution ⇄ unit-box transform."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import pytest

from trimtab._transform import (
    NumericalTransform,
    UnitBox,
    box_bounds,
    distribution_box,
    unit_to_value,
)
from trimtab.distributions import CategoricalDistribution, FloatDistribution, IntDistribution


def test_box_axis_widens_stepped_parameters_then_takes_the_log() -> None:
    assert box_bounds(0.0, 10.0, None, False) == (0.0, 10.0)
    assert box_bounds(0.0, 10.0, 2.0, False) == (-1.0, 11.0)
    assert distribution_box(IntDistribution(1, 100, log=True)) == (math.log(0.5), math.log(100.5))
    assert distribution_box(IntDistribution(0, 10, step=2), step_margin=False) == (0.0, 10.0)
    with pytest.raises(TypeError, match="not a numerical distribution"):
        distribution_box(CategoricalDistribution(["a"]))


def test_unit_box_round_trips_grid_values_and_clips() -> None:
    specs = [(-5.0, 5.0, None, False), (1e-3, 10.0, None, True), (0.0, 9.0, 3.0, False)]
    box = UnitBox(specs)
    values = np.array([[-5.0, 1e-3, 0.0], [0.5, 1.0, 6.0], [5.0, 10.0, 9.0]])
    units = box.to_unit(values)
    assert units[:, 0].tolist() == [0.0, 0.55, 1.0]
    assert np.allclose(box.from_unit(units), values)
    # Each of the four grid values owns a quarter of the stepped axis.
    snapped = box.from_unit(np.array([[0.0, 0.0, u] for u in (0.01, 0.26, 0.51, 0.99)]))
    assert snapped[:, 2].tolist() == [0.0, 3.0, 6.0, 9.0]
    assert box.from_unit(np.array([[1.5, 1.5, 1.5]])).tolist() == [[5.0, 10.0, 9.0]]


def test_unit_box_of_a_single_value_has_unit_width() -> None:
    box = UnitBox([(2.0, 2.0, None, False)])
    assert box.width.tolist() == [1.0]
    assert box.from_unit(np.array([[0.7]])).tolist() == [[2.0]]


@pytest.mark.parametrize(
    "distribution",
    [
        CategoricalDistribution(["a", "b", "c"]),
        IntDistribution(0, 9, step=3),
        FloatDistribution(0.0, 1.0, step=0.25),
        IntDistribution(1, 4),
    ],
)
def test_unit_to_value_gives_every_discrete_value_equal_mass(distribution: object) -> None:
    counts = Counter(unit_to_value(u, distribution) for u in np.arange(0.0, 1.0, 1 / 600))  # type: ignore[arg-type]
    assert len(set(counts.values())) == 1


def test_numerical_transform_round_trips_parameters() -> None:
    space = {
        "x": FloatDistribution(-1.0, 1.0),
        "n": IntDistribution(1, 64, log=True),
        "s": FloatDistribution(0.0, 1.0, step=0.1),
    }
    trans = NumericalTransform(space, transform_0_1=True)
    params = {"x": 0.25, "n": 8, "s": 0.3}
    point = trans.transform(params)
    assert ((point >= 0) & (point <= 1)).all()
    back = trans.untransform(point)
    assert back["n"] == 8 and back["s"] == pytest.approx(0.3) and back["x"] == pytest.approx(0.25)
