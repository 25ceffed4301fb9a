"""Exact unlearning by retraining only what the request touched: SISA, RecEraser and
C-SISA (shards of rows or of users' groups, one sub-model each: ``sharded``, with their
``ShardedState``), LASER (sequential training over user groups with checkpoints:
``seqtrain``), and RecEraser's balanced partitions. Each is bit-identical to itself
prepared from scratch on D - D_r, and stays so along a stream of requests."""
