"""Influence-function unlearning (IFRU, SCIF): one Newton step of the retain loss from
Original, solved by inverse Hessian-vector products. The maths (objectives, curvature,
solvers) lives in :mod:`recunlearn.influence`; this room holds the methods."""
