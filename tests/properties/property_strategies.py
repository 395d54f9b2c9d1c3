"""What users pass: Python and numpy scalars, Decimal, Fraction, bools, extremes, bad types."""

from __future__ import annotations

import decimal
import fractions
import math
import numbers
from typing import Any

import numpy as np
from hypothesis import strategies as st

EXTREMES = [
    0.0,
    -0.0,
    5e-324,
    2.2e-308,
    2.2e-309,
    1e-300,
    1.7976931348623157e308,
    -1.7976931348623157e308,
    2**53,
    2**53 + 1,
    -(2**53) - 1,
    2**63 - 1,
    2**64,
    1e16,
    math.inf,
    -math.inf,
    math.nan,
]

python_numbers = st.one_of(
    st.floats(),
    st.floats(-1e6, 1e6),
    st.integers(-(10**6), 10**6),
    st.integers(-(2**70), 2**70),
    st.sampled_from(EXTREMES),
    st.booleans(),
)
numpy_numbers = st.one_of(
    st.floats(width=32).map(np.float32),
    st.floats(-1e6, 1e6).map(np.float64),
    st.integers(-(2**63), 2**63 - 1).map(np.int64),
    st.integers(-(2**31), 2**31 - 1).map(np.int32),
    st.booleans().map(np.bool_),
)
other_numbers = st.one_of(
    st.decimals(),
    st.decimals(-(10**6), 10**6, places=3),
    st.fractions(),
    st.fractions(max_denominator=1000).map(lambda f: f * 10**6),
)
numbers_users_pass = st.one_of(python_numbers, python_numbers, numpy_numbers, other_numbers)
not_numbers = st.one_of(
    st.none(), st.text(max_size=4), st.binary(max_size=4), st.just([1.0]), st.just({})
)
anything_numeric = st.one_of(
    numbers_users_pass, numbers_users_pass, numbers_users_pass, not_numbers
)

weird_texts = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["", " ", "\x00", "a\x00b", "\ud800", "é", "名前", "a" * 600, "\n"]),
)
names_users_pass = st.one_of(weird_texts, st.binary(max_size=3), st.integers(), st.none())

choices_items = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(),
    st.text(max_size=8),
    numpy_numbers,
    st.sampled_from([b"x", decimal.Decimal("1.5"), fractions.Fraction(1, 3), (1, 2)]),
)

json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-(2**70), 2**70), st.floats(), weird_texts),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=6,
)
attr_values = st.one_of(
    json_values,
    json_values,
    numpy_numbers,
    st.sampled_from([decimal.Decimal("1.5"), b"bytes", {1, 2}, object(), (1, "a")]),
)


def exact(value: Any) -> fractions.Fraction | None:
    """``value`` as an exact rational, or None when it is not a finite real number."""
    if isinstance(value, (bool, np.bool_)):
        return None
    try:
        if isinstance(value, numbers.Integral):
            return fractions.Fraction(int(value))
        if isinstance(value, (fractions.Fraction, decimal.Decimal)):
            if isinstance(value, decimal.Decimal) and not value.is_finite():
                return None
            return fractions.Fraction(value)
        if isinstance(value, numbers.Real):
            as_float = float(value)
            return fractions.Fraction(as_float) if math.isfinite(as_float) else None
    except (ValueError, OverflowError, TypeError):
        return None
    return None


def plain(value: Any) -> bool:
    """A Python int or float (not bool): what every user passes and must be accepted."""
    return type(value) in (int, float)
