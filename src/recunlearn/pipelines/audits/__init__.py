from recunlearn.pipelines.audits.pipeline import create_pipeline

__all__ = ["create_pipeline"]
