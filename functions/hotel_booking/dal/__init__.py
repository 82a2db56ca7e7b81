"""Data access: DynamoDB tables and SNS topics, behind small classes the logic layer calls."""
