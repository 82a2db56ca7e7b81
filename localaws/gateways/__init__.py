"""What listens on a port in front of deployed resources: the REST API as API Gateway serves it,
the search service's HTTP API (found through Cloud Map) and the ECS tasks it reaches."""
