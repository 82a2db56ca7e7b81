"""``python -m search_service``: the container's entry command, and the local stack's."""

from __future__ import annotations

import asyncio

import uvicorn

from search_service.app import create_app
from search_service.settings import ServiceSettings


class Server(uvicorn.Server):
    """uvicorn wakes 10 times a second to notice a stop request; once a second is enough for
    a task (a stop waits up to 1 s more) and keeps an idle task's CPU near zero. Each tick
    still refreshes the Date header, as uvicorn's own tick does once a second."""

    async def main_loop(self) -> None:
        while not await self.on_tick(0):
            await asyncio.sleep(1.0)


def main() -> None:
    settings = ServiceSettings.from_env()
    app = create_app(settings)
    # One worker per task: scaling is ECS's job (more tasks), and the breaker is per process.
    config = uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        log_config=None,
        access_log=False,
        server_header=False,
        timeout_graceful_shutdown=5,
    )
    Server(config).run()


if __name__ == "__main__":
    main()
