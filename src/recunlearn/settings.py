"""Kedro project settings: OmegaConf loader with `base` and `local` environments."""

from kedro.config import OmegaConfigLoader

CONFIG_LOADER_CLASS = OmegaConfigLoader
CONFIG_LOADER_ARGS = {
    "base_env": "base",
    "default_run_env": "local",
}

from recunlearn.pipelines.grid import GridHook  # noqa: E402
from recunlearn.pipelines.provenance import ProvenanceHook  # noqa: E402

HOOKS = (GridHook(), ProvenanceHook())
