"""The two colour scales the plot data needs, sampled without plotly or matplotlib."""

from __future__ import annotations

from typing import Any

import numpy as np

# ColorBrewer's RdYlBu (11 classes), low to high; reversed below for RdYlBu_r.
_RDYLBU = np.array(
    [
        (165, 0, 38), (215, 48, 39), (244, 109, 67), (253, 174, 97), (254, 224, 144),
        (255, 255, 191), (224, 243, 248), (171, 217, 233), (116, 173, 209), (69, 117, 180),
        (49, 54, 149),
    ],
    dtype=float,
)  # fmt: skip
# ColorBrewer's Blues (9 classes), light to dark: plotly's ``sequential.Blues``.
BLUES = np.array(
    [
        (247, 251, 255), (222, 235, 247), (198, 219, 239), (158, 202, 225), (107, 174, 214),
        (66, 146, 198), (33, 113, 181), (8, 81, 156), (8, 48, 107),
    ],
    dtype=float,
)  # fmt: skip


def sample_scale(stops: np.ndarray, positions: np.ndarray) -> np.ndarray:
    """Linearly interpolate evenly spaced colour ``stops`` (k, 3) at ``positions`` in [0, 1]."""
    scaled = np.clip(np.asarray(positions, dtype=float), 0.0, 1.0) * (len(stops) - 1)
    lower = np.minimum(scaled.astype(np.int64), len(stops) - 2)
    frac = (scaled - lower)[:, np.newaxis]
    return stops[lower] + frac * (stops[lower + 1] - stops[lower])


def sample_rdylbu_r(positions: np.ndarray) -> np.ndarray:
    """Return (n, 3) RGB values (0..255, rounded) of ``RdYlBu_r`` at ``positions``."""
    return np.rint(sample_scale(_RDYLBU[::-1], positions))


def plotly_scale(stops: np.ndarray) -> list[list[Any]]:
    """Colour ``stops`` as a plotly colour scale: ``[[position, "rgb(r,g,b)"], ...]``."""
    last = len(stops) - 1
    return [[i / last, f"rgb({r:g},{g:g},{b:g})"] for i, (r, g, b) in enumerate(stops)]


RDYLBU_R = _RDYLBU[::-1]
