from recunlearn.pipelines.stream.pipeline import create_pipeline

__all__ = ["create_pipeline"]
