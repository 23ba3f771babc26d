"""The analysis engine: run charts, XmR and P charts, icons and phases (DESIGN.md §4).

Plain functions with no Django or database imports, called by views, tasks and tests alike.
Values are in time order; None (or NaN) is a missing point that every rule skips while it keeps
its position, and every index in a result is a position in the list given.

Choices the rules leave open, made once here:
- A baseline is the first `baseline` positions; fewer than 12 present points in it makes the
  limits trial limits. A baseline longer than the series means the whole series.
- SPC rules run over the present points in order, so a shift, trend or two of three may span a
  gap; moving ranges bridge gaps too. A gap is never labelled.
- Run-chart trend spans leave plateaus at either end out (they mirror under time reversal);
  a plateau inside a trend is inside its span. Signal.points lists the points a rule counts.
- Two of three counts each side on its own: two points beyond the upper 2σ line in a window of
  three fire even if the third is beyond the lower one. Overlapping windows merge into one
  signal that flags only the points beyond 2σ. Beyond-limit signals are one per point.
- The P chart's `centre` is a list like its limits (None where missing); `p_bar` is the number.
- Assurance needs the target strictly outside the limits to be consistent; on a limit it is hit
  and miss. Without better "up" or "down" there is no assurance icon, and a special cause at
  the last point gives the variation icon "special_cause_neither".
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
