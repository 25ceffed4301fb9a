"""Exact unlearning by retraining only what the request touched: SISA and RecEraser
(shards of rows, ``sharded``), LASER and C-SISA (user groups, ``seqtrain`` / ``stages``),
and RecEraser's balanced partitions. Each is bit-identical to itself prepared from
scratch on D - D_r."""
