from recunlearn.pipelines.results.pipeline import create_pipeline

__all__ = ["create_pipeline"]
