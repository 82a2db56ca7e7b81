"""What moves events between services: Lambda's pollers (SQS, DynamoDB Streams), EventBridge
targets and the scheduler. Add an event source here."""
