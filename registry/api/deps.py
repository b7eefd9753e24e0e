"""Access to the service from a request (the app keeps one RegistryService in its state)."""

from __future__ import annotations

from charter.registry.service import RegistryService
from fastapi import Request


def service(request: Request) -> RegistryService:
    return request.app.state.service
