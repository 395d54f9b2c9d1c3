"""Distributions: validation, conversions and Optuna's JSON form."""

from __future__ import annotations

import decimal
import json
import warnings

import numpy as np
import pytest

from trimtab import distributions as d


def test_json_form_is_byte_compatible_with_optuna() -> None:
    assert (
        d.distribution_to_json(d.FloatDistribution(0, 1))
        == '{"name": "FloatDistribution", "attributes": '
        '{"step": null, "low": 0.0, "high": 1.0, "log": false}}'
    )
    assert (
        d.distribution_to_json(d.IntDistribution(0, 10))
        == '{"name": "IntDistribution", "attributes": '
        '{"log": false, "step": 1, "low": 0, "high": 10}}'
    )
    assert (
        d.distribution_to_json(d.CategoricalDistribution(["a", 1, None, True, 1.5]))
        == '{"name": "CategoricalDistribution", "attributes": '
        '{"choices": ["a", 1, null, true, 1.5]}}'
    )


def test_json_form_of_equal_distributions_that_print_differently() -> None:
    """Equal distributions (1 == 1.0 == True) keep their own text, also when written again."""
    texts = [
        d.distribution_to_json(d.CategoricalDistribution(choices))
        for choices in ([1, 2], [1.0, 2], [True, 2], [1, 2], [True, 2])
    ]
    assert [json.loads(t)["attributes"]["choices"] for t in texts] == [
        [1, 2],
        [1.0, 2],
        [True, 2],
        [1, 2],
        [True, 2],
    ]
    assert texts[1] != texts[0] != texts[2]


@pytest.mark.parametrize(
    "dist",
    [
        d.FloatDistribution(0.5, 2.5, step=0.5),
        d.FloatDistribution(1e-4, 1.0, log=True),
        d.IntDistribution(1, 1024, log=True),
        d.IntDistribution(-5, 5, step=5),
        d.CategoricalDistribution([None, True, 1, 1.5, "x"]),
    ],
)
def test_json_round_trip(dist: d.BaseDistribution) -> None:
    assert d.json_to_distribution(d.distribution_to_json(dist)) == dist


def test_deprecated_distributions_warn_and_round_trip() -> None:
    with pytest.warns(FutureWarning):
        uniform = d.UniformDistribution(0, 1)
    text = d.distribution_to_json(uniform)
    assert json.loads(text) == {
        "name": "UniformDistribution",
        "attributes": {"low": 0.0, "high": 1.0},
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert d.json_to_distribution(text) == uniform
        discrete = d.DiscreteUniformDistribution(0, 1, 0.25)
        assert discrete.q == 0.25
        assert d.json_to_distribution(d.distribution_to_json(discrete)) == discrete


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: d.FloatDistribution(2, 1), "low <= high"),
        (lambda: d.FloatDistribution(0, 1, log=True), "low > 0"),
        (lambda: d.FloatDistribution(1, 2, log=True, step=0.5), "step"),
        (lambda: d.FloatDistribution(0, 1, step=0), "step"),
        (lambda: d.FloatDistribution(0, 1, step=-0.1), "step"),
        (lambda: d.FloatDistribution(float("nan"), 1), "NaN"),
        (lambda: d.FloatDistribution(0, float("inf")), "finite"),
        (lambda: d.IntDistribution(5, 1), "low <= high"),
        (lambda: d.IntDistribution(0, 10, log=True), "low >= 1"),
        (lambda: d.IntDistribution(1, 10, log=True, step=2), "step is 1"),
        (lambda: d.IntDistribution(0, 10, step=0), "step"),
        (lambda: d.CategoricalDistribution([]), "one or more"),
    ],
)
def test_bad_bounds_raise_value_error(make: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        make()  # type: ignore[operator]


@pytest.mark.parametrize("choices", [[[1, 2]], [{"a": 1}], [object()], "abc"])
def test_unsupported_choices_raise_type_error(choices: object) -> None:
    with pytest.raises(TypeError):
        d.CategoricalDistribution(choices)  # type: ignore[arg-type]


def test_step_that_does_not_divide_the_range_lowers_high_with_a_warning() -> None:
    with pytest.warns(UserWarning, match="replaced by"):
        dist = d.FloatDistribution(0, 1, step=0.3)
    assert dist.high == pytest.approx(0.9)
    with pytest.warns(UserWarning):
        assert d.IntDistribution(0, 10, step=3).high == 9


def test_decimal_and_numpy_bounds_are_accepted() -> None:
    dist = d.FloatDistribution(decimal.Decimal("0.5"), np.float32(2.0))
    assert (dist.low, dist.high) == (0.5, 2.0) and type(dist.low) is float
    ints = d.IntDistribution(np.int64(1), np.int32(7))
    assert (ints.low, ints.high) == (1, 7) and type(ints.high) is int


def test_categorical_keeps_true_and_one_apart() -> None:
    dist = d.CategoricalDistribution([True, 1, 1.0, "1"])
    assert [dist.to_internal_repr(v) for v in (True, 1, 1.0, "1")] == [0.0, 1.0, 2.0, 3.0]
    assert type(dist.to_external_repr(1.0)) is int
    with pytest.raises(ValueError):
        dist.to_internal_repr("missing")


def test_compatibility_rules() -> None:
    d.check_distribution_compatibility(d.FloatDistribution(0, 1), d.FloatDistribution(-5, 5))
    with pytest.raises(ValueError, match="kind"):
        d.check_distribution_compatibility(d.FloatDistribution(0, 1), d.IntDistribution(0, 1))
    with pytest.raises(ValueError, match="log"):
        d.check_distribution_compatibility(
            d.FloatDistribution(0.1, 1), d.FloatDistribution(0.1, 1, log=True)
        )
    with pytest.raises(ValueError, match="dynamic value space"):
        d.check_distribution_compatibility(
            d.CategoricalDistribution(["a"]), d.CategoricalDistribution(["a", "b"])
        )


def test_single_and_contains() -> None:
    assert d.FloatDistribution(1, 1).single()
    assert d.FloatDistribution(0, 0.4, step=0.5).single()
    assert not d.FloatDistribution(0, 1, step=0.5).single()
    assert d.IntDistribution(3, 4, step=2).single()
    assert d.FloatDistribution(0, 1, step=0.25)._contains(0.75)
    assert not d.FloatDistribution(0, 1, step=0.25)._contains(0.7)
    assert not d.IntDistribution(0, 10, step=2)._contains(3)


def test_json_errors_name_the_problem() -> None:
    with pytest.raises(ValueError, match="Unknown distribution"):
        d.json_to_distribution('{"name": "Nope", "attributes": {}}')
    with pytest.raises(ValueError, match="JSON"):
        d.json_to_distribution("not json")


def test_step_adjustment_is_exact_next_to_a_subnormal_low() -> None:
    # Issue 12, case 2: a 28-digit decimal context lost `low` next to `high` and lowered
    # high to 0.0 < low; that distribution was stored and refused to load.
    with pytest.warns(UserWarning, match="not divisible"):
        dist = d.FloatDistribution(2.2e-309, np.float32(1.5), step=904184.9)
    assert dist.low == dist.high == 2.2e-309 and dist.single()
    d.check_storable(dist)
    assert d.json_to_distribution(d.distribution_to_json(dist)) == dist


def test_lowered_high_stays_a_fixed_point_of_its_json_form() -> None:
    with pytest.warns(UserWarning, match="replaced by \\[0.1, 0.9\\]"):
        dist = d.FloatDistribution(0.1, 1.0, step=0.2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert d.json_to_distribution(d.distribution_to_json(dist)) == dist


@pytest.mark.parametrize(
    "kwargs, argument",
    [
        ({"low": 0.0, "high": 1e308, "step": 1e-308}, "`step`"),
        ({"low": -1e308, "high": 1e308}, "too wide"),
        ({"low": 0.0, "high": 1.0, "step": 5e-324}, "`step`"),
    ],
)
def test_ranges_a_float_cannot_count_are_value_errors(kwargs: dict, argument: str) -> None:
    # Case 2: `suggest_float(0.0, 1e308, step=1e-308)` leaked decimal.InvalidOperation.
    with pytest.raises(ValueError, match=argument):
        d.FloatDistribution(**kwargs)


@pytest.mark.parametrize("bound", [2**53 + 1, 2**63 - 1, -(2**53) - 1])
def test_int_ranges_beyond_2_53_are_not_storable(bound: int) -> None:
    dist = d.IntDistribution(min(bound, 0), max(bound, 0))
    with pytest.raises(ValueError, match="2\\*\\*53"):
        d.check_storable(dist)
    d.check_storable(d.IntDistribution(-(2**53), 2**53))


def test_storable_internal_rejects_values_that_would_read_back_differently() -> None:
    ints = d.IntDistribution(0, 10)
    assert d.storable_internal(ints, np.int64(7)) == 7.0
    with pytest.raises(ValueError, match="2\\*\\*53"):
        d.storable_internal(ints, 2**53 + 1)
    with pytest.raises(ValueError, match="finite"):
        d.storable_internal(d.FloatDistribution(0, 1), float("inf"))


def test_decode_stored_param_skips_an_unreadable_record_with_a_warning() -> None:
    bad = '{"name": "FloatDistribution", "attributes": {"low": 2.2e-309, "high": 0.0, '
    bad += '"step": 904184.9, "log": false}}'
    with pytest.warns(UserWarning, match="parameter 'x' of the trial with trial_id 7"):
        assert d.decode_stored_param(7, "x", bad, 0.0) is None
    with pytest.warns(UserWarning, match="'c'"):
        choices = d.distribution_to_json(d.CategoricalDistribution(["a"]))
        assert d.decode_stored_param(1, "c", choices, 3.0) is None
    good = d.distribution_to_json(d.IntDistribution(0, 9))
    assert d.decode_stored_param(1, "i", good, 4.0) == (d.IntDistribution(0, 9), 4)
