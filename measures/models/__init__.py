from measures.milestones.models import (
    Child,
    CompletenessProblem,
    ImportChange,
    Milestone,
    MilestoneImport,
    PathwaySummary,
    Route,
    Timescale,
    WaitingRow,
)
from measures.models.benchmark import BenchmarkAggregate, BenchmarkSharing
from measures.models.measures import Annotation, DataPoint, Measure, Phase, data_kind_of

__all__ = [
    "Annotation",
    "BenchmarkAggregate",
    "BenchmarkSharing",
    "Child",
    "CompletenessProblem",
    "DataPoint",
    "ImportChange",
    "Measure",
    "Milestone",
    "MilestoneImport",
    "PathwaySummary",
    "Phase",
    "Route",
    "Timescale",
    "WaitingRow",
    "data_kind_of",
]
