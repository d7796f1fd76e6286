"""Engines that run the feature expressions: DuckDB on the workspace's warehouse (default) or
Spark on the workspace's Parquet lake; one small interface, ``Engine``, for both."""

from dentrace.engine.base import Engine
from dentrace.engine.duckdb import DuckDBEngine
from dentrace.engine.lake import export_lake, lake_path
from dentrace.engine.spark import SparkEngine, SparkSettings, open_spark_engine, spark_session

__all__ = ["DuckDBEngine", "Engine", "SparkEngine", "SparkSettings", "export_lake", "lake_path",
           "open_spark_engine", "spark_session"]
