"""A read-only dataset that hands a run's provenance record to the report's nodes."""

from __future__ import annotations

from typing import Any, Protocol

from kedro.io import AbstractDataset, DatasetError

RUN_PROVENANCE = "run_provenance"
"""The catalog name the provenance hook fills with a :class:`SessionRecordDataset`."""


class RunRecord(Protocol):
    """What a run's recorder keeps: its id and the catalog version of every input read."""

    run_id: str
    versions: dict[str, str]


class SessionRecordDataset(AbstractDataset):
    """Read-only view of a run's record: session id and versions read."""

    def __init__(self, record: RunRecord) -> None:
        self._record = record

    def load(self) -> dict[str, Any]:
        return {"session_id": self._record.run_id, "versions": dict(self._record.versions)}

    def save(self, data: Any) -> None:
        raise DatasetError(f"{RUN_PROVENANCE} is filled by ProvenanceHook, not saved")

    def _describe(self) -> dict[str, Any]:
        return {"run_id": self._record.run_id}
