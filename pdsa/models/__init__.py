from pdsa.models.ideas import ChangeIdea, IdeaSubmission
from pdsa.models.implementation import (
    Approval,
    Implementation,
    ReadinessItem,
    SelfAudit,
    SpreadLocality,
    SpreadPlan,
    TrainingRecord,
)
from pdsa.models.sharing import PublishedItem
from pdsa.models.testing import Feedback, PDSACycle, Prediction

__all__ = [
    "Approval",
    "ChangeIdea",
    "Feedback",
    "IdeaSubmission",
    "Implementation",
    "PDSACycle",
    "Prediction",
    "PublishedItem",
    "ReadinessItem",
    "SelfAudit",
    "SpreadLocality",
    "SpreadPlan",
    "TrainingRecord",
]
