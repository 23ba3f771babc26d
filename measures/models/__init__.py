from measures.models.measures import Annotation, DataPoint, Measure, Phase
from measures.models.pathway import (
    Child,
    ImportChange,
    Milestone,
    MilestoneDate,
    MilestoneImport,
    Route,
    Timescale,
)

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
