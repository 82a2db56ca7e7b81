"""What listens on a port in front of deployed resources: the REST API as API Gateway serves it,
an HTTP API (Lambda proxy, or an ECS service found through Cloud Map) and the ECS tasks it
reaches."""
