"""The analysis engine: run charts, XmR and P charts, icons and phases (DESIGN.md §4).

Plain functions with no Django or database imports, called by views, tasks and tests alike.
Values are in time order; None (or NaN) is a missing point that every rule skips while it keeps
its position, and every index in a result is a position in the list given.
"""

from measures.analysis.common import Signal
from measures.analysis.phases import PhaseResult, chart_by_phase
from measures.analysis.run_chart import (
    RunChartResult,
    anhoj_limits,
    run_chart,
    runs_distribution,
    runs_tail_probabilities,
)
from measures.analysis.spc import (
    PChartResult,
    XmRResult,
    assurance_icon,
    p_chart,
    special_causes,
    variation_icon,
    xmr_chart,
)

__all__ = [
    "PChartResult",
    "PhaseResult",
    "RunChartResult",
    "Signal",
    "XmRResult",
    "anhoj_limits",
    "assurance_icon",
    "chart_by_phase",
    "p_chart",
    "run_chart",
    "runs_distribution",
    "runs_tail_probabilities",
    "special_causes",
    "variation_icon",
    "xmr_chart",
]
