from measures.milestones.models import (
    Child,
    ImportChange,
    Milestone,
    MilestoneDate,
    MilestoneImport,
    Route,
    Timescale,
)
from measures.models.measures import Annotation, DataPoint, Measure, Phase

__all__ = [
    "Annotation",
    "Child",
    "DataPoint",
    "ImportChange",
    "Measure",
    "Milestone",
    "MilestoneDate",
    "MilestoneImport",
    "Phase",
    "Route",
    "Timescale",
]
