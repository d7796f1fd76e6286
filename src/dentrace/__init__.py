"""dentrace: find payments for live-streamed child sexual abuse in transaction data.

The package is organised by the stages of the data's journey: ``contract`` (what the data
looks like), ``ingest`` (reading and validating it), ``store`` (the DuckDB warehouse),
``synth`` (synthetic worlds), ``features``, ``detect``, ``graph``, ``model``, ``evaluate``,
and later ``cases``, ``report`` and ``web``. The CLI in ``cli`` calls into them.
"""

__version__ = "0.1.0"
