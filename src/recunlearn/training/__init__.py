"""Training loop and its configuration (framework-free).

Its names are imported on first use (``recunlearn.lazy_imports``), so that the
trainer is imported only when used (its configuration: ``recunlearn.models.config``).
"""

from recunlearn.lazy_imports import lazy_exports

__getattr__ = lazy_exports(
    __name__,
    {
        "train_backbone": "dispatch",
        "TrainLog": "trainer",
        "train_model": "trainer",
    },
)

__all__ = ["TrainLog", "train_backbone", "train_model"]
