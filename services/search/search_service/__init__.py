"""The search service: hotel search as a long-running container (ECS Fargate, Cloud Map).

The query side of search served over HTTP by uvicorn, beside the Lambdas: ``GET /search`` (the
public contract of ``GET /hotels``), ``GET /health`` (checks the store) and ``GET /live``
(the container's own HEALTHCHECK). Entry command, in the image and locally: ``python -m
search_service``.
"""
