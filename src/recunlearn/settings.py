"""Kedro project settings: OmegaConf loader with `base` and `local` environments."""

from kedro.config import OmegaConfigLoader

from recunlearn.hooks import GridHook, ParameterTreeHook, PreflightHook, ProvenanceHook

CONFIG_LOADER_CLASS = OmegaConfigLoader
CONFIG_LOADER_ARGS = {
    "base_env": "base",
    "default_run_env": "local",
    # An environment states only what differs from base: its parameters are merged
    # into base's key by key, at every depth (lists are replaced whole); --params are
    # merged the same way, so they change only the leaves they name in every env.
    "merge_strategy": {"parameters": "soft"},
}
# The whole parameter tree is validated before the catalog is built or any node runs;
# then the environment's grid decides which (backbone, method) cells the DAG holds; the
# preflight refuses what the raw data or the machine cannot hold before the first node;
# the provenance hook stamps every log with the run id.
HOOKS = (ParameterTreeHook(), GridHook(), PreflightHook(), ProvenanceHook())
