"""OCR engines behind one seam: crops in, readings out. Nothing else imports an engine."""

from recover.ocr.base import CropKind, OcrEngine, Reading, forget_readings, get_engine

__all__ = ["CropKind", "OcrEngine", "Reading", "forget_readings", "get_engine"]
