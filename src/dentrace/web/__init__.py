"""The investigator web app and JSON API: FastAPI over the cases service and workspace files.

``create_app(workspace, database_url, settings)`` builds the app; ``dentrace serve`` runs it.
"""

from dentrace.web.app import create_app, missing_vendor_files
from dentrace.web.settings import WebSettings

__all__ = ["WebSettings", "create_app", "missing_vendor_files"]
