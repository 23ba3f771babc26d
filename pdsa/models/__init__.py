from pdsa.models.ideas import ChangeIdea, IdeaSubmission
from pdsa.models.testing import Feedback, PDSACycle, Prediction

__all__ = ["ChangeIdea", "Feedback", "IdeaSubmission", "PDSACycle", "Prediction"]
