"""Party state below detection and screening: the fold of flagged payments per payer, beneficiary
and pair, its on-disk store (party_state.sqlite), its sharded build and its replay.

The incremental scan (``dentrace.detect``) and real-time screening (``dentrace.screen``) both
read and update it; it imports neither of them.
"""
