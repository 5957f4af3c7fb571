"""The platform's one error type. Services raise it; one place maps it to a response."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A refusal the user can act on: a stable ``code``, a safe ``message``, the input ``field``
    at fault (when there is one) and the HTTP ``status`` to answer with."""

    def __init__(self, code: str, message: str, field: str | None = None, status: int = 400) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field
        self.status = status

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "field": self.field}

    def __repr__(self) -> str:
        return f"DomainError({self.code!r}, {self.message!r}, field={self.field!r}, status={self.status})"
