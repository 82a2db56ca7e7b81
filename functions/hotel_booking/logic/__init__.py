"""Domain logic: plain Python on pydantic models; AWS reaches it only through ``dal``."""
