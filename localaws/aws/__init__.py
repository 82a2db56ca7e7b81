"""AWS behaviour moto lacks, service by service (Cognito, SNS deliveries, the captured mail).
Add a service's missing behaviour here, beside the ones already emulated."""
