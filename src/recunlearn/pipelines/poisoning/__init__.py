from recunlearn.pipelines.poisoning.pipeline import create_pipeline

__all__ = ["create_pipeline"]
