from measures.milestones.models import (
    Child,
    ImportChange,
    Milestone,
    MilestoneImport,
    PathwaySummary,
    Route,
    Timescale,
)
from measures.models.benchmark import BenchmarkAggregate, BenchmarkSharing
from measures.models.measures import Annotation, DataPoint, Measure, Phase, data_kind_of

__all__ = [
    "Annotation",
    "BenchmarkAggregate",
    "BenchmarkSharing",
    "Child",
    "DataPoint",
    "ImportChange",
    "Measure",
    "Milestone",
    "MilestoneImport",
    "PathwaySummary",
    "Phase",
    "Route",
    "Timescale",
    "data_kind_of",
]
