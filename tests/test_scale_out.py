"""The documented scale-out commands (docs/executors.md, docs/tuning.md), end to end at
toy size.

- A Dask cluster started with the README's ``dask scheduler`` / ``dask worker`` lines (on
  127.0.0.1 and a free port) trains the shards of a toy ``kedro run --params
  runtime.executor=dask://...``; the workers' own task counts prove the shards ran there.
- The README's shared-study line (``tuning.storage=postgresql://...``) run by two workers
  at once against a real PostgreSQL server finishes exactly n trials. ``.ci/run`` installs
  and starts the server (``.ci/postgres.sh``) and names it in
  ``RECUNLEARN_TEST_POSTGRES_URL``; without that variable the test starts one itself, and
  skips, saying why, only where PostgreSQL is not installed.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import optuna
import pytest
import yaml
from optuna.trial import TrialState

from .test_run import ROOT, copy_project, latest, write_tiny_ratings

N_TRIALS = 8


def readme_commands(marker: str) -> list[str]:
    """The commands of the ``bash`` block of README.md or a docs/ page holding ``marker``,
    comments dropped."""
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
    text = "\n".join(page.read_text() for page in pages)
    blocks = re.findall(r"```bash\n(.*?)```", text, re.DOTALL)
    (block,) = [b for b in blocks if marker in b]
    lines = (line.split("#", 1)[0].strip() for line in block.splitlines())
    return [line for line in lines if line]


def shell(command: str) -> list[str]:
    """``command`` as a user types it (``$(nproc)`` and quotes included) in bash, with
    ``kedro run`` given the toy environment ``test``."""
    return ["bash", "-c", "exec " + command.replace("kedro run ", "kedro run --env test ", 1)]


def child_env() -> dict[str, str]:
    """This environment's ``dask`` and ``kedro`` first on the path, and this checkout's
    ``src`` first on the Python path, for kedro and the Dask workers alike."""
    path = os.pathsep.join(filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH")]))
    programs = os.pathsep.join([str(Path(sys.executable).parent), os.environ["PATH"]])
    return os.environ | {"KEDRO_DISABLE_TELEMETRY": "1", "PYTHONPATH": path, "PATH": programs}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def toy_project(root: Path, methods: list[str]) -> Path:
    """The project's configuration, a tiny ``ratings.dat`` and a grid of MF and ``methods``."""
    copy_project(root)
    write_tiny_ratings(root / "data" / "01_raw" / "ratings.dat")
    with (root / "conf" / "test" / "parameters.yml").open("a") as parameters:
        parameters.write(f"grid:\n  backbones: [mf]\n  methods: [{', '.join(methods)}]\n")
    return root


def run(argv: list[str], cwd: Path) -> subprocess.CompletedProcess:
    result = subprocess.run(
        argv, cwd=cwd, env=child_env(), capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result


@pytest.fixture
def dask_cluster(tmp_path):
    """The README's scheduler and worker, on 127.0.0.1 and a free port, until the test ends.

    Yields a client of the scheduler (once every worker has registered) and the README's
    ``kedro run`` line pointed at it.
    """
    from distributed import Client

    scheduler, worker, kedro = readme_commands("dask scheduler")
    port = free_port()

    def local(command: str) -> str:
        for public, loopback in (("0.0.0.0", "127.0.0.1"), ("SCHEDULER", "127.0.0.1")):
            command = command.replace(public, loopback)
        return command.replace(":8786", f":{port}").replace("--port 8786", f"--port {port}")

    started: list[subprocess.Popen] = []
    try:
        for name, command in (("scheduler", scheduler), ("worker", worker)):
            with (tmp_path / f"dask-{name}.log").open("w") as log:
                started.append(
                    subprocess.Popen(
                        shell(local(command)),
                        cwd=tmp_path,
                        env=child_env(),
                        stdout=log,
                        stderr=subprocess.STDOUT,
                        start_new_session=True,
                    )
                )
        with Client(f"tcp://127.0.0.1:{port}", timeout=60) as client:
            client.wait_for_workers(workers_started_by(worker), timeout=60)
            yield client, local(kedro)
    finally:
        for process in reversed(started):
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def workers_started_by(command: str) -> int:
    """The worker processes of a ``dask worker ... --nworkers N`` line (N as bash reads it)."""
    (count,) = re.findall(r"--nworkers (\S+)", command)
    return int(subprocess.run(["bash", "-c", f"echo {count}"], capture_output=True).stdout)


def test_readme_dask_cluster_trains_the_shards_of_a_kedro_run(tmp_path, dask_cluster):
    client, kedro = dask_cluster
    assert "runtime.executor=dask://127.0.0.1:" in kedro
    project = toy_project(tmp_path / "project", ["retrain", "sisa"])
    run(shell(kedro), project)
    assert latest(project / "data" / "08_reporting" / "report.md").stat().st_size > 0
    log = json.loads(
        latest(project / "data" / "07_model_output" / "mf" / "sisa_log.json").read_text()
    )
    assert log["executor"] == f"dask({client.scheduler_info()['address']})"
    executed = client.run(lambda dask_worker: dask_worker.state.executed_count)
    # one task per shard trained on D, then one per shard holding a row of D_r, and one
    # per LiRA reference model of the audits (they train on the run's executor too)
    audits = yaml.safe_load((project / "conf" / "base" / "parameters_audits.yml").read_text())
    references = audits["audits"]["lira"]["references"]
    expected = log["shards"] + log["shards_retrained"] + references
    assert sum(executed.values()) == expected > references, executed


@pytest.fixture
def postgres_url(tmp_path):
    """A new database on the PostgreSQL server .ci/run started (or one started here)."""
    import psycopg

    server, started = os.environ.get("RECUNLEARN_TEST_POSTGRES_URL"), None
    if not server:
        started = tmp_path / "postgres"
        result = subprocess.run(
            ["bash", str(ROOT / ".ci" / "postgres.sh"), "start", str(started)],
            capture_output=True,
            text=True,
        )
        if result.returncode == 3:
            pytest.skip(f"no PostgreSQL server for tuning.storage: {result.stderr.strip()}")
        assert result.returncode == 0, result.stderr
        server = result.stdout.split()[-1]
    database = f"optuna_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(f"CREATE DATABASE {database}")
    try:
        yield f"{server.rsplit('/', 1)[0]}/{database}"
    finally:
        with psycopg.connect(server, autocommit=True) as connection:
            connection.execute(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
        if started is not None:
            subprocess.run(["bash", str(ROOT / ".ci" / "postgres.sh"), "stop", str(started)])


def test_two_workers_on_a_postgresql_study_finish_exactly_n_trials(tmp_path, postgres_url):
    (command,) = [c for c in readme_commands("tuning.storage") if "postgresql://" in c]
    project = toy_project(tmp_path / "project", ["retrain"])
    run(shell("kedro run --pipelines ingestion,poisoning"), project)
    toy = f"tuning.n_trials.mf={N_TRIALS},tuning.pruner_warmup=10"  # no trial pruned
    argv = shell(re.sub(r"postgresql://[^\s\",]*", f"{postgres_url},{toy}", command))
    logs = [tmp_path / f"worker{i}.log" for i in (1, 2)]
    workers = []
    try:
        for log in logs:
            time.sleep(0.05)  # Kedro's save version is a millisecond timestamp: two runs
            # started in the same millisecond in one project folder would share it
            with log.open("w") as out:
                workers.append(
                    subprocess.Popen(argv, cwd=project, env=child_env(), stdout=out, stderr=out)
                )
        for worker, log in zip(workers, logs, strict=True):
            assert worker.wait(timeout=300) == 0, log.read_text()[-3000:]
    finally:
        for worker in workers:
            worker.kill()  # a no-op for a worker that has ended
            worker.wait()
    (name,) = optuna.get_all_study_names(postgres_url)
    trials = optuna.load_study(study_name=name, storage=postgres_url).trials
    states = [t.state for t in trials]
    assert states.count(TrialState.COMPLETE) == N_TRIALS, states
    assert not {TrialState.FAIL, TrialState.RUNNING} & set(states), states
    # a PRUNED trial may only be a surplus one closed unrun after a race (the pruner
    # is off here), never a crash
    assert all(t.user_attrs.get("surplus") for t in trials if t.state == TrialState.PRUNED)
    reports = sorted(
        (project / "data" / "07_model_output" / "mf").glob("tuning_best_params.json/*/*")
    )
    ran_here = [json.loads(report.read_text())["ran_here"] for report in reports]
    assert len(ran_here) == 2 and sum(ran_here) == N_TRIALS, ran_here
