"""Errors that services raise; the API turns each into a 4xx with its message."""


class ServiceError(Exception):
    """A request that breaks a rule; shown to the user as a 400."""

    status_code = 400

    def __init__(self, message: str, **extra):
        super().__init__(message)
        self.message = message
        self.extra = extra


class NotAllowed(ServiceError):
    status_code = 403


class Conflict(ServiceError):
    """A stale version or a running job; `extra` says which (current version, job id)."""

    status_code = 409


class TooLarge(ServiceError):
    status_code = 413
