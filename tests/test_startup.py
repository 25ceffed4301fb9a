"""Loading the project imports no heavy library (each check in a fresh interpreter).

Kedro imports the settings (hence the hooks) on every command, ``kedro --version``
included, and builds every pipeline and resolves every node's type hints before a run's
first node. torch, matplotlib, gensim, optuna, scikit-learn, scipy and Dask take seconds
to import together, so none of them may come in on that path; the nodes import them
where they use them. Pandas comes in with the pipelines (node hints, Kedro's CSV
datasets), but not with the settings, hooks, registry or parameter models.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "recunlearn"
ML_LIBRARIES = ("torch", "matplotlib", "gensim", "optuna", "sklearn", "scipy", "dask")
HEAVY = ("pandas", *ML_LIBRARIES)


def imported_after(code: str) -> list[str]:
    """The top-level modules in ``sys.modules`` after running ``code`` in a new Python."""
    report = "import json, sys; print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))"
    path = os.pathsep.join(filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH")]))
    result = subprocess.run(
        [sys.executable, "-c", f"{code}\n{report}"],
        cwd=ROOT,
        env=os.environ | {"KEDRO_DISABLE_TELEMETRY": "1", "PYTHONPATH": path},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.splitlines()[-1])


def test_importing_settings_hooks_registry_and_parameter_models_imports_no_heavy_library():
    loaded = imported_after(
        "import recunlearn.settings, recunlearn.hooks, recunlearn.pipeline_registry\n"
        "import recunlearn.parameters, recunlearn.grid, recunlearn.runtime\n"
        "import recunlearn.models.config, recunlearn.tuning.config, recunlearn.grouping.config\n"
        "from recunlearn.unlearning import METHOD_SPECS, METHODS\n"
        "from recunlearn.models import BACKBONES\n"
        "assert sorted(METHODS) == sorted(METHOD_SPECS) and 'mf' in BACKBONES"
    )
    assert [name for name in HEAVY if name in loaded] == []


def test_a_session_checking_parameters_and_building_every_pipeline_imports_no_ml_library():
    """What `kedro run` does before its first node: hooks, catalog (node hints), pipelines."""
    loaded = imported_after(
        "from pathlib import Path\n"
        "from kedro.framework.project import pipelines\n"
        "from kedro.framework.session import KedroSession\n"
        "from kedro.framework.startup import bootstrap_project\n"
        "bootstrap_project(Path.cwd())\n"
        "with KedroSession.create(Path.cwd(), env='test') as session:\n"
        "    context = session.load_context()\n"
        "    context.catalog\n"
        "    assert len(pipelines['__default__'].nodes) > 50\n"
    )
    assert [name for name in ML_LIBRARIES if name in loaded] == []


def lazy_packages() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("__init__.py") if "lazy_exports(" in p.read_text())


def exported_names(init: Path) -> set[str]:
    """The keys of the dict literal passed to ``lazy_exports`` in ``init``."""
    for node in ast.walk(ast.parse(init.read_text())):
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "lazy_exports":
            exports = node.args[1]
            if isinstance(exports, ast.Dict):
                return {key.value for key in exports.keys}
            return {elt.value for elt in exports.generators[0].iter.elts}
    return set()


@pytest.mark.parametrize("init", lazy_packages(), ids=lambda p: p.parent.name)
def test_no_lazy_export_is_shadowed_by_a_submodule_of_the_same_name(init):
    """Once a submodule is imported, Python sets it as the package attribute of its name,
    so a lazily exported function of that name would be hidden behind the module."""
    submodules = {p.stem for p in init.parent.iterdir() if p.suffix == ".py" or p.is_dir()}
    assert exported_names(init)
    assert exported_names(init) & submodules == set()
