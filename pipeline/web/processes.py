"""What the server's helper processes share: dying with the server, and a failure in words."""

from __future__ import annotations

import os

from ..errors import describe  # the door-independent messages
from ..problems import InputError


def die_with_parent(parent: int) -> None:
    """A worker process ends when the server ends, even by kill -9 (Linux: PR_SET_PDEATHSIG)."""
    import ctypes
    import signal

    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # 1 = PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the server died before the call
        os._exit(1)


def message(error: BaseException) -> str:
    """What went wrong, as the command line would say it."""
    if isinstance(error, InputError):
        return "\n".join(str(p) for p in error.problems)
    failure = describe(error)
    if failure is not None:
        return failure.message.strip()
    return f"{type(error).__name__}: {error}"
