"""Kedro project settings: OmegaConf loader with `base` and `local` environments."""

from typing import Any

from kedro.config import OmegaConfigLoader
from omegaconf import OmegaConf

from recunlearn.hooks import GridHook, ParameterTreeHook, ProvenanceHook


class RuntimeParamsLastConfigLoader(OmegaConfigLoader):
    """Kedro's loader, with ``--params`` merged into the environment's parameters last.

    Kedro merges the runtime parameters into base and into the environment separately,
    then lets each top-level key of the environment replace base's: under ``--env laser``
    (no ``unlearning`` block of its own) ``--params unlearning.laser.epochs=2`` replaced
    base's whole ``unlearning`` block with that one value. Here base, then the
    environment (top-level keys replaced, as before), then ``--params`` key by key.
    """

    def __getitem__(self, key: str) -> dict[str, Any]:
        config = super().__getitem__(key)
        if key != "parameters" or not self.runtime_params:
            return config
        return OmegaConf.to_container(OmegaConf.merge(config, self.runtime_params))

    def _merge_and_resolve(self, key: str, config_per_file: dict) -> dict[str, Any]:
        if key != "parameters" or not config_per_file:
            return super()._merge_and_resolve(key, config_per_file)
        merged = OmegaConf.unsafe_merge(*config_per_file.values())
        return OmegaConf.to_container(merged, resolve=True)


CONFIG_LOADER_CLASS = RuntimeParamsLastConfigLoader
CONFIG_LOADER_ARGS = {
    "base_env": "base",
    "default_run_env": "local",
}
# The whole parameter tree is validated before the catalog is built or any node runs;
# then the environment's grid decides which (backbone, method) cells the DAG holds, and
# the provenance hook stamps every log with the run id.
HOOKS = (ParameterTreeHook(), GridHook(), ProvenanceHook())
