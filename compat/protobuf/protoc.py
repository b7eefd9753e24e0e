"""Run the protoc bundled in ``grpcio-tools`` in-process, with its standard error captured.

protoc writes diagnostics to the process's file descriptor 2, so a run redirects that
descriptor into a file for its (sub-millisecond) duration, under a lock shared by every caller.
"""

from __future__ import annotations

import os
import threading

from grpc_tools import _protoc_compiler

_LOCK = threading.Lock()


def run_protoc(arguments: list[str], err_path: str) -> tuple[int, str]:
    """Run protoc (``arguments[0]`` is the program name) with standard error redirected into
    ``err_path``; return its exit code and what it wrote there."""
    with _LOCK, open(err_path, "w+b") as err:
        saved = os.dup(2)
        try:
            os.dup2(err.fileno(), 2)
            code = _protoc_compiler.run_main([a.encode() for a in arguments])
        finally:
            os.dup2(saved, 2)
            os.close(saved)
        err.seek(0)
        return code, err.read().decode("utf-8", "replace")
