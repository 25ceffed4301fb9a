from recunlearn.pipelines.unlearning.pipeline import create_pipeline

__all__ = ["create_pipeline"]
