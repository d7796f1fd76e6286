"""Save a learned scorer as a LightGBM text model plus JSON metadata, and load it back.

The shipped model lives in package data (``dentrace/model/data/<name>.lgb`` and ``.json``); the
name is the role, or ``payer_stage2`` for the second payer stage (``STAGE2``).
"""

from __future__ import annotations

import hashlib
import json
from importlib import resources
from pathlib import Path
from typing import Any

import lightgbm as lgb

from dentrace.errors import ConfigError
from dentrace.model.calibration import PlattCalibration
from dentrace.model.scorer import LearnedScorer

SHIPPED_DIR = Path(str(resources.files("dentrace.model") / "data"))
# the file name of a role's second-stage model (read after the first stage's scores)
STAGE2 = {"payer": "payer_stage2"}


def save_scorer(scorer: LearnedScorer, directory: Path, metadata: dict[str, Any],
                name: str | None = None) -> Path:
    """Write ``<name>.lgb`` and ``<name>.json`` (name: the role by default) into
    ``directory``; return the JSON path."""
    directory.mkdir(parents=True, exist_ok=True)
    name = name or scorer.role
    model_path = directory / f"{name}.lgb"
    scorer.booster_.save_model(str(model_path))
    meta = {
        **metadata,
        "role": scorer.role,
        "rounds": scorer.rounds,
        "feature_names": scorer.feature_names_,
        "calibration": {k: c.as_dict() for k, c in scorer.calibrations_.items()},
        "thresholds_for_precision": scorer.thresholds_,
        "model_file": model_path.name,
    }
    meta_path = directory / f"{name}.json"
    meta_path.write_text(json.dumps(meta, indent=2), encoding="utf-8")
    return meta_path


def load_scorer(directory: Path, role: str, name: str | None = None) -> LearnedScorer:
    """Load the scorer of ``role`` saved in ``directory`` as ``name`` (the role by default);
    errors name the file and key."""
    meta_path = directory / f"{name or role}.json"
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise ConfigError(f"{meta_path}: cannot read model metadata: {error}") from error
    for key in ("feature_names", "calibration", "model_file"):
        if key not in meta:
            raise ConfigError(f"{meta_path}: field '{key}' is missing")
    scorer = LearnedScorer(role=role, rounds=int(meta.get("rounds", 0)))
    scorer.booster_ = lgb.Booster(model_file=str(directory / meta["model_file"]))
    scorer.feature_names_ = list(meta["feature_names"])
    try:
        scorer.calibrations_ = {k: PlattCalibration(float(c["slope"]), float(c["intercept"]))
                                for k, c in meta["calibration"].items()}
    except (AttributeError, KeyError, TypeError, ValueError) as error:
        raise ConfigError(f"{meta_path}: field 'calibration' is malformed: {error}") from error
    scorer.thresholds_ = dict(meta.get("thresholds_for_precision", {}))
    scorer.metadata_ = meta
    return scorer


def shipped_model_exists(role: str, directory: Path | None = None,
                         name: str | None = None) -> bool:
    """True when a trained model for ``role`` (saved as ``name``, default the role) is
    present."""
    base = directory or SHIPPED_DIR
    name = name or role
    return (base / f"{name}.json").is_file() and (base / f"{name}.lgb").is_file()


def load_shipped_scorer(role: str, directory: Path | None = None,
                        name: str | None = None) -> LearnedScorer | None:
    """The shipped scorer of ``role`` (file ``name``, default the role), or None when no
    model has been trained and shipped."""
    base = directory or SHIPPED_DIR
    if not shipped_model_exists(role, base, name):
        return None
    return load_scorer(base, role, name)


def model_fingerprint(kind: str = "auto", directory: Path | None = None) -> str:
    """What a scan scores with: 'rules', or 'model:' and the first 16 hex digits of the
    SHA-256 of the model folder's ``.lgb`` and ``.json`` files (an incremental scan must score
    with the models of the full scan it goes on from)."""
    base = directory or SHIPPED_DIR
    if kind == "rules" or not shipped_model_exists("payer", base):
        return "rules"
    digest = hashlib.sha256()
    for path in sorted([*base.glob("*.lgb"), *base.glob("*.json")]):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return f"model:{digest.hexdigest()[:16]}"
