"""Training loop and its configuration (framework-free)."""

from recunlearn.training.config import TrainConfig
from recunlearn.training.dispatch import train_backbone
from recunlearn.training.trainer import TrainLog, train_model

__all__ = ["TrainConfig", "TrainLog", "train_backbone", "train_model"]
