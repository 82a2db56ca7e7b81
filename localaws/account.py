"""The one account every emulated resource lives in (moto's default), and the default region.

A leaf: every layer may import it, so no lower package has to reach up to the deployer for it."""

ACCOUNT_ID = "123456789012"
DEFAULT_REGION = "eu-west-2"
