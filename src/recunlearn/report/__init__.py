"""Rendering of the report from the metrics: headline, tables, figures, HTML page and
the provenance of every number. Metrics themselves live in :mod:`recunlearn.evaluation`."""
