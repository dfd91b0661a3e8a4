"""civictools.report: reproducible HTML report builds."""

from civictools.report.build import BuildResult, build_report, check_report
from civictools.report.config import load_report_config
from civictools.report.tables import ComparisonTable, etable

__all__: list[str] = ["build_report", "check_report", "BuildResult", "load_report_config", "etable", "ComparisonTable"]
