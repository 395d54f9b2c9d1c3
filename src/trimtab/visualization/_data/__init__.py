"""Plot data: pure functions that turn a study's trials into plain ``NamedTuple`` records.

Each ``*_data`` function takes the same arguments as the plot function of the same name,
performs Optuna's checks (same errors, warnings and log lines) and returns what the plot
shows: points, lines, axes, scales and colours. The Plotly and Matplotlib front-ends only
render these records, and the dashboard serves them as JSON. Importing this package needs
neither plotly nor matplotlib.

| function                    | returns                          |
| --------------------------- | -------------------------------- |
| optimization_history_data   | list[HistoryInfo]                |
| intermediate_values_data    | IntermediatePlotInfo             |
| parallel_coordinate_data    | ParallelCoordinateInfo           |
| contour_data                | ContourInfo                      |
| slice_data                  | SlicePlotInfo                    |
| param_importances_data      | tuple[ImportancesInfo, ...]      |
| edf_data                    | EDFInfo                          |
| rank_data                   | RankPlotInfo                     |
| pareto_front_data           | ParetoFrontInfo                  |
| timeline_data               | TimelineInfo                     |
| hypervolume_history_data    | HypervolumeHistoryInfo           |
| terminator_improvement_data | ImprovementInfo                  |
"""

from __future__ import annotations

from trimtab.visualization._data._contour import (
    ContourAxisInfo,
    ContourInfo,
    SubContourInfo,
    contour_data,
    contour_surface,
)
from trimtab.visualization._data._history import (
    HistoryInfo,
    ValuesInfo,
    ValueState,
    optimization_history_data,
)
from trimtab.visualization._data._hypervolume import (
    HypervolumeHistoryInfo,
    hypervolume_history_data,
)
from trimtab.visualization._data._importances import ImportancesInfo, param_importances_data
from trimtab.visualization._data._parallel import (
    DimensionInfo,
    ParallelCoordinateInfo,
    parallel_coordinate_data,
)
from trimtab.visualization._data._pareto import ParetoFrontInfo, pareto_front_data
from trimtab.visualization._data._rank import (
    RankAxisInfo,
    RankPlotInfo,
    RankSubplotInfo,
    rank_data,
)
from trimtab.visualization._data._simple import (
    EDFInfo,
    EDFLineInfo,
    IntermediatePlotInfo,
    IntermediateTrialInfo,
    TimelineBarInfo,
    TimelineInfo,
    edf_data,
    intermediate_values_data,
    timeline_data,
)
from trimtab.visualization._data._slice import SlicePlotInfo, SliceSubplotInfo, slice_data
from trimtab.visualization._data._terminator import ImprovementInfo, terminator_improvement_data

__all__ = [
    "ContourAxisInfo",
    "ContourInfo",
    "DimensionInfo",
    "EDFInfo",
    "EDFLineInfo",
    "HistoryInfo",
    "HypervolumeHistoryInfo",
    "ImportancesInfo",
    "ImprovementInfo",
    "IntermediatePlotInfo",
    "IntermediateTrialInfo",
    "ParallelCoordinateInfo",
    "ParetoFrontInfo",
    "RankAxisInfo",
    "RankPlotInfo",
    "RankSubplotInfo",
    "SlicePlotInfo",
    "SliceSubplotInfo",
    "SubContourInfo",
    "TimelineBarInfo",
    "TimelineInfo",
    "ValueState",
    "ValuesInfo",
    "contour_data",
    "contour_surface",
    "edf_data",
    "hypervolume_history_data",
    "intermediate_values_data",
    "optimization_history_data",
    "parallel_coordinate_data",
    "param_importances_data",
    "pareto_front_data",
    "rank_data",
    "slice_data",
    "terminator_improvement_data",
    "timeline_data",
]
