"""The analysis engine (DESIGN.md §4–§4d): run charts; XmR, P, C, U, Laney P′ and U′, G and T
control charts with their icons; phases; the chart chooser; Kaplan–Meier time to a milestone
with the log-rank test; and funnel plots.

Plain functions with no Django or database imports, called by views, tasks and tests alike.
Values are in time order; None (or NaN) is a missing point that every rule skips while it keeps
its position, and every index in a result is a position in the list given.

Choices the rules leave open, made once here:
- A baseline is the first `baseline` positions for run, XmR and P charts (§4), and the first
  `baseline` present points for the charts of §4b, as each section says; fewer than 12 present
  points in it makes the limits trial limits. A baseline longer than the series means the
  whole series.
- SPC rules run over the present points in order, so a shift, trend or two of three may span a
  gap; moving ranges bridge gaps too. A gap is never labelled.
- Run-chart trend spans leave plateaus at either end out (they mirror under time reversal);
  a plateau inside a trend is inside its span. Signal.points lists the points a rule counts.
- Two of three counts each side on its own: two points beyond the upper 2σ line in a window of
  three fire even if the third is beyond the lower one. Overlapping windows merge into one
  signal that flags only the points beyond 2σ. Beyond-limit signals are one per point.
- The P chart's `centre` is p̄, one number (`p_bar` too); its limits are lists. The same holds
  for U, P′ and U′. C, G and T charts report single-number limits, as XmR does.
- 2σ lines of the §4b charts are σ-based and clipped as their limits are (a lower one below 0
  is 0), as the P chart's are. The G chart has none (no 2-of-3 rule).
- σ of P′ and U′ with p̄ (or ū) at 0 or 1: every z is 0, so the limits close onto the centre.
- Assurance needs the target strictly outside the limits to be consistent; on a limit it is hit
  and miss. Without better "up" or "down" there is no assurance icon, and a special cause at
  the last point gives the variation icon "special_cause_neither".
"""

from measures.analysis.chooser import ChartSuggestion, data_warnings, suggest_chart
from measures.analysis.common import Signal
from measures.analysis.control import ControlChartResult
from measures.analysis.counts import UChartResult, c_chart, u_chart
from measures.analysis.funnel import FunnelResult, funnel
from measures.analysis.laney import LaneyResult, p_prime_chart, u_prime_chart
from measures.analysis.phases import PhaseResult, chart_by_phase
from measures.analysis.rare_events import GChartResult, TChartResult, g_chart, t_chart
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
from measures.analysis.survival import KaplanMeierResult, LogRankResult, kaplan_meier, logrank

__all__ = [
    "ChartSuggestion",
    "ControlChartResult",
    "FunnelResult",
    "GChartResult",
    "KaplanMeierResult",
    "LaneyResult",
    "LogRankResult",
    "PChartResult",
    "PhaseResult",
    "RunChartResult",
    "Signal",
    "TChartResult",
    "UChartResult",
    "XmRResult",
    "anhoj_limits",
    "assurance_icon",
    "c_chart",
    "chart_by_phase",
    "data_warnings",
    "funnel",
    "g_chart",
    "kaplan_meier",
    "logrank",
    "p_chart",
    "p_prime_chart",
    "run_chart",
    "runs_distribution",
    "runs_tail_probabilities",
    "special_causes",
    "suggest_chart",
    "t_chart",
    "u_chart",
    "u_prime_chart",
    "variation_icon",
    "xmr_chart",
]
