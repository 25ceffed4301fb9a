"""The population membership-inference attack: one classifier for every row.

Fit on Original (members: kept training rows, non-members: matched held-out rows), then
applied to D_r against held-out rows matched to D_r, under every model. Its AUC on D_r is
the audit: Retrain's value is the target (it never saw D_r), Original's what was learned.
Population attacks average over rows and overestimate privacy; :mod:`lira` is the
per-example view.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from recunlearn.audits.features import attack_features
from recunlearn.audits.matching import match_groups
from recunlearn.models.scoring import ScoringModel
from recunlearn.predictions import auc


@dataclass(frozen=True)
class PopulationAttack:
    """A fitted classifier: member probability from :func:`attack_features`."""

    classifier: Any

    def scores(self, features: np.ndarray) -> np.ndarray:
        return self.classifier.predict_proba(features)[:, 1]

    def auc(self, members: np.ndarray, non_members: np.ndarray) -> float:
        """AUC of the member scores of ``members`` against ``non_members`` (feature rows)."""
        labels = np.r_[np.ones(len(members)), np.zeros(len(non_members))]
        return auc(labels, self.scores(np.vstack([members, non_members])))


def fit_attack(members: np.ndarray, non_members: np.ndarray, seed: int) -> PopulationAttack:
    """A gradient-boosted tree classifier (scikit-learn) of members against non-members."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    classifier = HistGradientBoostingClassifier(
        max_iter=100, max_leaf_nodes=15, early_stopping=False, random_state=seed
    )
    labels = np.r_[np.ones(len(members)), np.zeros(len(non_members))]
    classifier.fit(np.vstack([members, non_members]), labels)
    return PopulationAttack(classifier)


def population_audit(
    original: ScoringModel,
    models: Mapping[str, ScoringModel],
    marked: pd.DataFrame,
    held_out: pd.DataFrame,
    seed: int,
    candidates: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Attack AUC on D_r of every model in ``models`` (one row each, with group sizes).

    ``marked`` is D with its ``forget`` column; ``held_out`` the rows no model trained on
    (test rows), on which the attack is fitted; ``candidates``: the non-members D_r is
    audited against, drawn like D_r
    (:func:`recunlearn.audits.non_members.non_member_candidates`; None: ``held_out``).
    """
    rng = np.random.default_rng(seed)
    train, forget = marked[~marked["forget"]], marked[marked["forget"]]
    fit_in, fit_out = match_groups(train, held_out, marked, rng)
    attack = fit_attack(
        attack_features(original, train.iloc[fit_in]),
        attack_features(original, held_out.iloc[fit_out]),
        seed,
    )
    audit_out_pool = held_out if candidates is None else candidates
    audit_in, audit_out = match_groups(forget, audit_out_pool, marked, rng)
    rows = []
    for name, model in models.items():
        value = float("nan")  # no non-member matches D_r: the AUC is undefined
        if len(audit_in):
            value = attack.auc(
                attack_features(model, forget.iloc[audit_in]),
                attack_features(model, audit_out_pool.iloc[audit_out]),
            )
        rows.append({"model": name, "population_auc": value, "n_members": len(audit_in)})
    return pd.DataFrame(rows)


def population_audit_of_kind(
    models: Mapping[str, ScoringModel],
    marked: pd.DataFrame,
    held_out: pd.DataFrame,
    kind: str,
    seed: int,
    rng: np.random.Generator,
) -> pd.DataFrame:
    """:func:`population_audit` fitted on ``models["original"]``, D_r audited against
    held-out rows drawn like the D_r of a ``kind`` request (``rng`` draws them where the
    kind needs it: :func:`~recunlearn.audits.non_members.non_member_candidates`)."""
    from recunlearn.audits.non_members import non_member_candidates

    candidates = non_member_candidates(kind, marked, held_out, rng)
    return population_audit(models["original"], models, marked, held_out, seed, candidates)
