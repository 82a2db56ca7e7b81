"""``python -m search_service``: the container's entry command, and the local stack's."""

from __future__ import annotations

import uvicorn

from search_service.app import create_app
from search_service.settings import ServiceSettings


def main() -> None:
    settings = ServiceSettings.from_env()
    app = create_app(settings)
    # One worker per task: scaling is ECS's job (more tasks), and the breaker is per process.
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        log_config=None,
        access_log=False,
        server_header=False,
        timeout_graceful_shutdown=5,
    )


if __name__ == "__main__":
    main()
