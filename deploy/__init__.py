"""`make deploy` and `make admin`: the whole product on a real AWS account (docs/deploy.md).

Not part of the Lambda code and not the local emulator: it reads the stack `sam deploy` made,
writes the pages' config.json from its outputs, publishes hotel/ to the site bucket, and
creates the first administrator.
"""
