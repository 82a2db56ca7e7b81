"""REST API handlers (API Gateway REST proxy events)."""
