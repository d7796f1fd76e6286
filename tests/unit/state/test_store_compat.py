"""A party state store written before the state moved to ``dentrace.state`` still opens: its
blobs name the state classes by their old module, ``dentrace.screen.state``."""

from __future__ import annotations

import pickle
import sys

import pytest

from dentrace.state import fold, store
from dentrace.state.fold import BeneficiaryState, PairState, PayerState

OLD_MODULE = "dentrace.screen.state"


def _old_blob(value: object, monkeypatch: pytest.MonkeyPatch) -> bytes:
    """``value`` pickled as the older version wrote it: its class under the old module path."""
    with monkeypatch.context() as patch:
        patch.setitem(sys.modules, OLD_MODULE, fold)
        patch.setattr(type(value), "__module__", OLD_MODULE)
        blob = store._dumps(value)
    assert OLD_MODULE.encode() in blob and b"dentrace.state.fold" not in blob
    return blob


@pytest.mark.parametrize("value", [
    PayerState(n_payments=3, night=1, first_day=19000.5, countries={"AU"}),
    BeneficiaryState(n_incoming=2, total=80.0, countries={"PH"}),
    PairState(payments=2, total=80.0, months={24315}),
])
def test_a_blob_of_the_old_module_path_loads_as_the_new_class(
        value: object, monkeypatch: pytest.MonkeyPatch) -> None:
    blob = _old_blob(value, monkeypatch)
    assert OLD_MODULE not in sys.modules or sys.modules[OLD_MODULE] is not fold
    loaded = store._loads(blob)
    assert type(loaded) is type(value)
    assert repr(loaded) == repr(value)  # NaN fields: compared by their text


def test_other_classes_stay_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    blob = pickle.dumps(fold.PartyState((1.0, 2.0), 30), protocol=5)
    with pytest.raises(pickle.UnpicklingError, match=r"party_state\.sqlite: unexpected object"):
        store._loads(blob)
