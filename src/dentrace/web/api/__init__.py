"""The JSON API under ``/api/v1``: one router per subject (auth, alerts, parties, cases, ...).

``api_router`` gathers them; ``dentrace.web.app`` mounts it and maps errors to HTTP answers.
"""
