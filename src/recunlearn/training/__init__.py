"""Training loop and its configuration (framework-free).

Its names are imported on first use (``recunlearn.lazy_imports``), so that the
parameter check can read ``training.config`` without importing torch.
"""

from recunlearn.lazy_imports import lazy_exports

__getattr__ = lazy_exports(
    __name__,
    {
        "TrainConfig": "config",
        "train_backbone": "dispatch",
        "TrainLog": "trainer",
        "train_model": "trainer",
    },
)

__all__ = ["TrainConfig", "TrainLog", "train_backbone", "train_model"]
