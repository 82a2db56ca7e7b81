"""What the engine needs told about this product to deploy it on this machine."""

from __future__ import annotations

from localaws.cloud import LocalParameters

#: The stack `make run`, the demo and the suite deploy template.yaml as.
STACK_NAME = "hotel-booking"
LOCAL_PARAMETERS = LocalParameters(
    defaults={
        # The SES identity guests' emails come from (verified at deploy, as its owner would).
        "SenderEmail": "bookings@hotel-booking.example",
        # No default in the template (a bare deploy must not name a missing image); locally no
        # image is pulled (the search tasks run from the venv), so any tag of the right shape does.
        "SearchImageTag": "src-0000000000000000",
    },
    ses_identities=("SenderEmail",),
)
