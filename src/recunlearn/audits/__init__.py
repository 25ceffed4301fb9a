"""Audits of forgetting: can the forgotten rows still be detected in a model?

- :mod:`~recunlearn.audits.matching`: non-members matched to members on item popularity
  (decile) and user activity, so that popularity does not stand in for membership.
- :mod:`~recunlearn.audits.features` and :mod:`~recunlearn.audits.population`: the
  population membership-inference attack (a classifier on a model's outputs for a row).
- :mod:`~recunlearn.audits.lira`: the per-example likelihood-ratio attack (LiRA, Carlini
  et al. 2022) with reference models trained on random halves of the rows.
- :mod:`~recunlearn.audits.behaviour`: poison removal, fake-item exposure, a genre's share
  of top-K lists and NDCG by demographic group.
- :mod:`~recunlearn.audits.power`: whether an attack can tell Original from Retrain.

Framework-free (no Kedro, no files); scikit-learn is imported inside the functions that
use it, so loading the project never imports it.
"""
