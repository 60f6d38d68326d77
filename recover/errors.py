"""Failures a user can hit, one class each, with the exit code the CLI returns for it.

The CLI prints `recover: <file>: <message>` on one line; no traceback for these.
"""

from __future__ import annotations


class RecoverError(Exception):
    """Base class: a problem with one input that the user can act on."""

    exit_code = 10
    hint = ""

    def __init__(self, path: object, problem: str) -> None:
        self.path = str(path)
        self.problem = problem
        self.seen: tuple = ()  # what the image path saw (PageGrids), for `recover debug`
        super().__init__(f"{self.path}: {problem}")

    def line(self) -> str:
        hint = f" ({self.hint})" if self.hint else ""
        return f"{self.path}: {self.problem}{hint}"


class InputNotFound(RecoverError):
    exit_code = 11
    hint = "check the path"


class UnsupportedInput(RecoverError):
    exit_code = 12
    hint = "recover reads PDF, PNG, JPEG, TIFF, BMP, WebP, DOCX, HTML, TXT and result JSON"


class EmptyInput(RecoverError):
    exit_code = 13
    hint = "the file has no content; get a fresh copy"


class DamagedInput(RecoverError):
    exit_code = 14
    hint = "the file is corrupt or truncated; get a fresh copy"


class EncryptedInput(RecoverError):
    exit_code = 15
    hint = "pass the password with --password"


class UnreadableEncoding(RecoverError):
    exit_code = 16
    hint = "save the text as UTF-8 or GBK"


class ImageTooLarge(RecoverError):
    exit_code = 17
    hint = "raise --max-pixels if the image is genuine"


class NoTablesFound(RecoverError):
    exit_code = 20
    hint = ("recover reads the tables 二、三、四 of 政府信息公开工作年度报告; "
            "run recover debug on it to see what was found")


class AmbiguousTemplate(RecoverError):
    exit_code = 21
    hint = "pass --template 2019 or --template 2021"


class WrongTemplate(RecoverError):
    exit_code = 22
    hint = "recover reads the 2019 and 2021 templates only"


class InvalidResult(RecoverError):
    exit_code = 23
    hint = "the file is not a recover result; re-run recover extract"


class ResultLocked(RecoverError):
    exit_code = 24
    hint = "someone else is reviewing it; wait for them, or remove the .lock file if they are gone"


class ResultChanged(RecoverError):
    exit_code = 25
    hint = "another program changed it; reload the page to review the new version"


EXIT_CODES = {
    cls.__name__: cls.exit_code
    for cls in (
        InputNotFound, UnsupportedInput, EmptyInput, DamagedInput, EncryptedInput,
        UnreadableEncoding, ImageTooLarge, NoTablesFound, AmbiguousTemplate, WrongTemplate,
        InvalidResult, ResultLocked, ResultChanged,
    )
}
