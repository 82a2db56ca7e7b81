"""The HTTP face of the service: routes, correlation ids, errors to HTTP.

Errors become statuses through the product's own table (``hotel_booking.http_errors``, which
the REST API uses too), so a search refused here is refused exactly as ``GET /hotels`` refuses
it; a store that fails is a 503 with ``Retry-After`` (never a 500, never a hang).
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse

from hotel_booking.http_errors import error_body, status_of
from hotel_booking.logic.problems import RequestProblem
from search_service import telemetry
from search_service.resilience import StoreBreaker, StoreUnavailable
from search_service.settings import ServiceSettings
from search_service.store import Store

logger = telemetry.logger


def create_app(settings: ServiceSettings, store: Store | None = None) -> FastAPI:
    the_store = store or Store(settings)
    breaker = StoreBreaker(
        settings.breaker_fail_max,
        settings.breaker_reset_seconds,
        on_change=telemetry.publish_breaker_change,
    )
    app = FastAPI(
        title="hotel-booking search service",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.breaker = breaker

    @app.middleware("http")
    async def correlate(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        """Every log line of the request carries its correlation id; the answer echoes it."""
        cid = telemetry.correlation_id(dict(request.headers))
        logger.thread_safe_append_keys(correlation_id=cid)
        started = time.perf_counter()
        try:
            response = await call_next(request)
        finally:
            elapsed = (time.perf_counter() - started) * 1000
        response.headers["X-Correlation-Id"] = cid
        if request.url.path == "/live":  # the container health check, every 15 s: no noise
            logger.thread_safe_remove_keys(["correlation_id"])
            return response
        logger.info(
            "request",
            extra={
                "method": request.method,
                "path": request.url.path,
                "status": response.status_code,
                "latency_ms": round(elapsed, 1),
                "breaker": breaker.state,
            },
        )
        route = telemetry.route_of(request.scope)  # the route's template, never the raw path
        telemetry.publish(route, response.status_code, elapsed, breaker.state)
        logger.thread_safe_remove_keys(["correlation_id"])
        return response

    @app.exception_handler(RequestProblem)
    async def refused(request: Request, exc: RequestProblem) -> JSONResponse:
        return JSONResponse(error_body(exc.message, exc.errors), status_of(exc))

    @app.exception_handler(StoreUnavailable)
    async def unavailable(request: Request, exc: StoreUnavailable) -> JSONResponse:
        logger.warning("store unavailable", extra={"reason": exc.reason})
        return JSONResponse(
            error_body("search is unavailable for a moment; try again shortly"),
            HTTPStatus.SERVICE_UNAVAILABLE,
            headers={"Retry-After": str(exc.retry_after)},
        )

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        logger.exception("unexpected error")
        return JSONResponse(
            error_body("search failed; try again shortly"),
            HTTPStatus.SERVICE_UNAVAILABLE,
            headers={"Retry-After": "1"},
        )

    # Sync routes: FastAPI runs them on its thread pool, so a slow store never blocks the loop.
    @app.get("/search")
    def search(request: Request) -> dict[str, Any]:
        query = dict(request.query_params)
        return breaker.call(lambda: the_store.search(query))

    @app.get("/health")
    def health() -> JSONResponse:
        """Ready to serve: the store answers (through the breaker, so an outage costs nothing)."""
        try:
            breaker.call(the_store.ping)
        except StoreUnavailable as exc:
            body = {"status": "unavailable", "store": exc.reason, "breaker": breaker.state}
            headers = {"Retry-After": str(exc.retry_after)}
            return JSONResponse(body, HTTPStatus.SERVICE_UNAVAILABLE, headers=headers)
        return JSONResponse({"status": "ok", "store": "ok", "breaker": breaker.state})

    @app.get("/live")
    def live() -> dict[str, str]:
        """The container HEALTHCHECK: the process serves. A store outage must not make ECS
        replace every task (that is what the breaker is for), so this does not touch it."""
        return {"status": "ok"}

    return app
