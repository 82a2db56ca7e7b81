"""The approval pages' settings (ApprovalsFunction)."""

from __future__ import annotations

from pydantic import Field

from hotel_booking.config import BasePath, SagaSettings


class ApprovalPageSettings(SagaSettings):
    """The approve/reject pages check the same signatures."""

    approval_link_key_arn: str = Field(alias="APPROVAL_LINK_KEY_ARN")
    #: API Gateway passes a custom domain's base path in the request path: stripped before
    #: routing. Empty (no custom domain) unless the template sets it.
    api_base_path: BasePath = Field(default="", alias="API_BASE_PATH")
