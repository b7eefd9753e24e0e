"""Access to the registry from a request (the app keeps one RegistryService, the wiring, in its state)."""

from __future__ import annotations

from fastapi import Request

from charter.registry.service import RegistryService


def service(request: Request) -> RegistryService:
    return request.app.state.service
