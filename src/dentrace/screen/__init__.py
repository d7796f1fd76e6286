"""Real-time screening of single payments against party state kept current as they arrive:
allow, review or hold, with the same features, scorers and thresholds as the batch scan."""

from __future__ import annotations

from dentrace.screen.log import ScreeningLog, read_log
from dentrace.screen.payment import contract_payment, pacs008_payments
from dentrace.screen.service import DECISIONS, Screener, Thresholds
from dentrace.screen.setup import empty_screener, screener_from_workspace

__all__ = ["DECISIONS", "Screener", "ScreeningLog", "Thresholds", "contract_payment",
           "empty_screener", "pacs008_payments", "read_log", "screener_from_workspace"]
