from recunlearn.pipelines.grouping.pipeline import create_pipeline

__all__ = ["create_pipeline"]
