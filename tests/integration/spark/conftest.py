"""One local Spark session for every Spark test module (starting one costs ~5-40 s)."""

from __future__ import annotations

import importlib.util
import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

from dentrace.engine import SparkSettings, spark_session


@pytest.fixture(scope="package")
def session() -> Iterator[Any]:
    """The session, or a skip when pyspark or Java is missing (a failure under
    DENTRACE_REQUIRE_SPARK, as scripts/test.sh sets)."""
    missing = [name for name, ok in (("pyspark", importlib.util.find_spec("pyspark")),
                                     ("java", shutil.which("java"))) if not ok]
    if missing:
        if os.environ.get("DENTRACE_REQUIRE_SPARK"):
            pytest.fail(f"DENTRACE_REQUIRE_SPARK is set but {', '.join(missing)} is missing")
        pytest.skip(f"the Spark engine needs {', '.join(missing)}: run scripts/test.sh")
    spark = spark_session(SparkSettings())
    yield spark
    spark.stop()
