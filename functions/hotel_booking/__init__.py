"""Hotel booking saga: Lambda handlers, domain logic and data access."""
