"""recover: the statistical tables of 政府信息公开工作年度报告, recovered from pictures and text."""

__version__ = "0.2.0"
