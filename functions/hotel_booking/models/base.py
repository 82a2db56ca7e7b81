"""The project's pydantic base model: validators built on first use, not at import.

A function imports the domain, saga, API and event models with the modules it uses, but
validates only a few of them; building every model's validator at import (pydantic's default)
was a large share of each cold start (docs/performance.md, "Cold starts"). With
``defer_build`` a model's schema is built the first time it validates or serializes.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Model(BaseModel):
    model_config = ConfigDict(defer_build=True)
