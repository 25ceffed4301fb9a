from recunlearn.pipelines.tuning.pipeline import create_pipeline

__all__ = ["create_pipeline"]
