"""Feature rows of parties of one role, the one input indicators and scorers read: the scan's
feature frame and screening's live rows (dicts from dentrace.state.features) both become one.

A column is a float64 numpy vector (NaN: does not apply, or a column the rows lack). Read from a
frame, a column is taken when first asked for (a 100M-payment scan's facilitator table is not
copied whole); live rows are few, so they are stacked into one matrix at once: a screening
batch of rows then costs about as much as one row.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

# (row names, wanted names) -> positions: live rows of one role always have the same names
_TAKE: dict[tuple[tuple[str, ...], tuple[str, ...]], np.ndarray] = {}


class FeatureRows:
    """The feature rows of ``party_ids``: ``column(name)`` per feature, ``values_for(names)``
    as a parties x names matrix for a model, ``frame()`` as a DataFrame for other scorers."""

    def __init__(self, party_ids: Sequence[str] | pd.Index, names: Sequence[str], *,
                 frame: pd.DataFrame | None = None, matrix: np.ndarray | None = None) -> None:
        self.party_ids = party_ids
        self.names = tuple(names)
        self.position = {name: i for i, name in enumerate(self.names)}
        self._frame = frame
        self._matrix = matrix  # features x parties
        self._read: dict[str, np.ndarray] = {}

    @classmethod
    def of_frame(cls, frame: pd.DataFrame) -> FeatureRows:
        """The rows of a feature frame (index party_id, one column per feature)."""
        return cls(frame.index, [str(c) for c in frame.columns], frame=frame)

    @classmethod
    def of_rows(cls, rows: Sequence[Mapping[str, float]],
                party_ids: Sequence[str]) -> FeatureRows:
        """The rows of live feature dicts (one per party, the same keys), in that order."""
        if len(rows) != len(party_ids):
            raise ValueError(f"{len(rows)} feature rows for {len(party_ids)} parties")
        names = tuple(rows[0]) if rows else ()
        if all(tuple(row) == names for row in rows):  # made by one function: same order
            matrix = np.array([list(row.values()) for row in rows], dtype="float64").T
        else:
            matrix = np.array([[row.get(name, np.nan) for row in rows] for name in names],
                              dtype="float64")
        return cls(party_ids, names, matrix=matrix.reshape(len(names), len(rows)))

    def __len__(self) -> int:
        return len(self.party_ids)

    @property
    def index(self) -> pd.Index:
        if isinstance(self.party_ids, pd.Index):
            return self.party_ids
        return pd.Index(list(self.party_ids), name="party_id")

    def column(self, name: str) -> np.ndarray:
        """The feature ``name`` as floats, read-only; all NaN when the rows lack it."""
        found = self._read.get(name)
        if found is None:
            if name not in self.position:
                found = np.full(len(self), np.nan)
            elif self._matrix is not None:
                found = self._matrix[self.position[name]].copy()
            else:
                assert self._frame is not None
                found = self._frame[name].to_numpy(dtype="float64", copy=True)
            found.flags.writeable = False
            self._read[name] = found
        return found

    def values_for(self, names: Sequence[str]) -> np.ndarray:
        """parties x ``names`` float matrix (NaN for a feature the rows lack), for a model."""
        if self._matrix is None:
            assert self._frame is not None
            return self._frame.reindex(columns=list(names)).astype("float64").to_numpy()
        key = (self.names, tuple(names))
        take = _TAKE.get(key)
        if take is None:  # row positions of the names, the NaN row for a missing one
            missing = len(self.names)
            take = _TAKE[key] = np.array([self.position.get(n, missing) for n in names],
                                         dtype=np.intp)
        padded = np.vstack([self._matrix, np.full((1, len(self)), np.nan)])
        return np.ascontiguousarray(padded[take].T)

    def frame(self) -> pd.DataFrame:
        """The rows as a DataFrame (index party_id), for scorers that read one."""
        if self._frame is not None:
            return self._frame
        assert self._matrix is not None
        return pd.DataFrame(self._matrix.T, index=self.index, columns=list(self.names),
                            dtype="float64")
