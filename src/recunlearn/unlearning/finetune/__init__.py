"""Unlearning by fine-tuning Original on D - D_r: Warm-Start (first-order) and AltEraser
(alternating per-user / per-item second-order sub-problems, with their block solvers)."""
