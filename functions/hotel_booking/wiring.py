"""The composition root: where boto3 clients are made and each function's ports assembled.

Called once per Lambda container, at cold start, with the settings read from the
environment. Logic never builds a client; a test builds its ports from fakes instead.
Each factory imports what its own function uses, inside it: a function loads its own data
access and logic at cold start, not every other function's. Clients are made on their first
call (:func:`client`): a step that never mails builds no SES client, and the one it does use
costs the same on its first request as at init (docs/performance.md, "Cold starts").
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any, Literal, overload

import boto3
from aws_lambda_powertools import Logger


class _LazyClient:
    """A boto3 client made on its first use, then reused for the container's life.

    Powertools' utilities (parameters, circuit breaker) register their user-agent feature on
    the client they are given, at construction (``client.meta.events.register``): those
    registrations are kept and applied when the client is made, so building a utility at
    cold start makes no client.
    """

    def __init__(self, service: str, region: str) -> None:
        self._service = service
        self._region = region
        self._client: Any = None
        self._lock = threading.Lock()
        self._handlers: list[tuple[tuple[Any, ...], dict[str, Any]]] = []

    def _made(self) -> Any:
        if self._client is None:
            with self._lock:
                if self._client is None:
                    made = boto3.client(  # type: ignore[call-overload]
                        self._service, region_name=self._region
                    )
                    for args, kwargs in self._handlers:
                        made.meta.events.register(*args, **kwargs)
                    self._client = made
        return self._client

    @property
    def meta(self) -> Any:
        return self._client.meta if self._client is not None else _DeferredMeta(self)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._made(), name)


class _DeferredMeta:
    """``client.meta`` before the client exists: ``meta.events.register`` is kept for when
    it is made; anything else makes it."""

    def __init__(self, lazy: _LazyClient) -> None:
        self._lazy = lazy

    @property
    def events(self) -> _DeferredEvents:
        return _DeferredEvents(self._lazy)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._lazy._made().meta, name)


class _DeferredEvents:
    def __init__(self, lazy: _LazyClient) -> None:
        self._lazy = lazy

    def register(self, *args: Any, **kwargs: Any) -> None:
        with self._lazy._lock:
            if self._lazy._client is None:
                self._lazy._handlers.append((args, kwargs))
                return
        self._lazy._client.meta.events.register(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._lazy._made().meta.events, name)


if TYPE_CHECKING:
    # boto3-stubs (a dev dependency): the deployed artifact never imports them.
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_events import EventBridgeClient
    from mypy_boto3_secretsmanager import SecretsManagerClient
    from mypy_boto3_sesv2 import SESV2Client
    from mypy_boto3_sns import SNSClient
    from mypy_boto3_ssm import SSMClient
    from mypy_boto3_stepfunctions import SFNClient


# One overload per service the functions use: the lazy client stands in for that client type.
@overload
def client(service: Literal["cognito-idp"], region: str) -> CognitoIdentityProviderClient: ...
@overload
def client(service: Literal["dynamodb"], region: str) -> DynamoDBClient: ...
@overload
def client(service: Literal["events"], region: str) -> EventBridgeClient: ...
@overload
def client(service: Literal["secretsmanager"], region: str) -> SecretsManagerClient: ...
@overload
def client(service: Literal["sesv2"], region: str) -> SESV2Client: ...
@overload
def client(service: Literal["sns"], region: str) -> SNSClient: ...
@overload
def client(service: Literal["ssm"], region: str) -> SSMClient: ...
@overload
def client(service: Literal["stepfunctions"], region: str) -> SFNClient: ...
def client(service: str, region: str) -> Any:
    """The client for ``service``, made when first called (botocore loads its model then)."""
    return _LazyClient(service, region)


if TYPE_CHECKING:
    # Each function's settings, named for the factories' types only: a function imports its
    # own settings module, not every function's (config/__init__.py).
    from hotel_booking.config import SagaSettings
    from hotel_booking.config.approvals import ApprovalPageSettings
    from hotel_booking.config.bookings import BookingsApiSettings
    from hotel_booking.config.events import ProjectorSettings, PublisherSettings
    from hotel_booking.config.hotels import HotelsApiSettings
    from hotel_booking.config.notify import NotifySettings
    from hotel_booking.config.payments import PaymentSettings
    from hotel_booking.config.users import UsersApiSettings
    from hotel_booking.dal.bus import EventBus
    from hotel_booking.dal.link_keys import SecretKey
    from hotel_booking.dal.topics import Topics
    from hotel_booking.logic.approval_pages import PagePorts
    from hotel_booking.logic.bookings import BookingPorts
    from hotel_booking.logic.cancellations import CancellationPorts, FinishPorts
    from hotel_booking.logic.hotels import HotelPorts
    from hotel_booking.logic.links import LinkSigner
    from hotel_booking.logic.ports import PaymentGateway
    from hotel_booking.logic.publishing import Table
    from hotel_booking.logic.saga import SagaPorts
    from hotel_booking.logic.users import UserPorts
    from hotel_booking.search.dynamo import SearchTable


def guarded_gateway(settings: PaymentSettings) -> PaymentGateway:
    """The configured gateway (with the sandbox's outage switch) behind the shared circuit."""
    from hotel_booking.dal.breaker import BreakerGateway, breaker_config, circuit_store
    from hotel_booking.dal.parameters import OutageSwitch
    from hotel_booking.logic.payments import gateway_for

    outage = OutageSwitch(
        client("ssm", settings.region),
        settings.outage_parameter,
        settings.outage_cache_seconds,
    )
    # Made here, at cold start, so the logger takes the function's service name.
    log = Logger(child=True).info
    return BreakerGateway(
        gateway_for(settings.payment_gateway, outage, log),
        circuit_store(client("dynamodb", settings.region), settings.circuit_table),
        breaker_config(
            settings.failure_threshold, settings.recovery_seconds, settings.state_cache_seconds
        ),
    )


def saga_ports(settings: SagaSettings, gateway: PaymentGateway | None = None) -> SagaPorts:
    """``gateway``: the payment steps pass :func:`guarded_gateway`; the others never pay."""
    from hotel_booking.dal.approvals import ApprovalsTable
    from hotel_booking.dal.bookings import BookingsTable
    from hotel_booking.dal.hotels import HotelsTable
    from hotel_booking.dal.inventory import InventoryTable
    from hotel_booking.dal.payments import PaymentsTable
    from hotel_booking.dal.reservations import Reservations
    from hotel_booking.logic.payments import gateway_for
    from hotel_booking.logic.saga import SagaPorts

    dynamodb = client("dynamodb", settings.region)
    bookings = BookingsTable(dynamodb, settings.bookings_table)
    inventory = InventoryTable(dynamodb, settings.inventory_table)
    hotels = HotelsTable(dynamodb, settings.hotels_table)
    return SagaPorts(
        settings=settings,
        hotels=hotels,
        bookings=bookings,
        reservations=Reservations(dynamodb, hotels, inventory, bookings),
        payments=PaymentsTable(dynamodb, settings.payments_table),
        approvals=ApprovalsTable(dynamodb, settings.approvals_table),
        topics=_topics(settings),
        gateway=gateway or gateway_for(settings.payment_gateway),
    )


def _topics(settings: SagaSettings) -> Topics:
    from hotel_booking.dal.topics import Topics

    return Topics(
        client("sns", settings.region),
        client("sesv2", settings.region),
        hotel_topic_arn_prefix=settings.hotel_topic_arn_prefix,
        ops_topic_arn=settings.ops_topic_arn,
        sender_email=settings.sender_email,
    )


def link_key(settings: NotifySettings | ApprovalPageSettings) -> SecretKey:
    from hotel_booking.dal.link_keys import SecretKey

    return SecretKey(client("secretsmanager", settings.region), settings.approval_link_key_arn)


def link_signer(settings: NotifySettings) -> LinkSigner:
    from hotel_booking.logic.links import LinkSigner

    return LinkSigner(base_url=settings.public_api_url, key=link_key(settings).get)


def hotel_ports(settings: HotelsApiSettings) -> HotelPorts:
    from hotel_booking.dal.bookings import BookingsTable
    from hotel_booking.dal.hotels import HotelsTable
    from hotel_booking.dal.inventory import InventoryTable
    from hotel_booking.dal.pictures import PictureStore, pictures_client
    from hotel_booking.dal.subscriptions import HotelTopics
    from hotel_booking.dal.users import CognitoUsers
    from hotel_booking.logic.hotels import HotelPorts
    from hotel_booking.search.dynamo import SearchTable

    dynamodb = client("dynamodb", settings.region)
    return HotelPorts(
        hotels=HotelsTable(dynamodb, settings.hotels_table),
        inventory=InventoryTable(dynamodb, settings.inventory_table),
        bookings=BookingsTable(dynamodb, settings.bookings_table),
        pictures=PictureStore(
            pictures_client(settings.region, settings.s3_endpoint_url), settings.pictures_bucket
        ),
        managers=HotelTopics(client("sns", settings.region), settings.hotel_topic_arn_prefix),
        search=SearchTable(dynamodb, settings.search_table, settings.inventory_table),
        directory=CognitoUsers(client("cognito-idp", settings.region), settings.user_pool_id),
        stay_horizon_days=settings.stay_horizon_days,
    )


def user_ports(settings: UsersApiSettings) -> UserPorts:
    from hotel_booking.dal.users import CognitoUsers
    from hotel_booking.logic.users import UserPorts

    return UserPorts(
        users=CognitoUsers(client("cognito-idp", settings.region), settings.user_pool_id)
    )


def booking_ports(settings: BookingsApiSettings) -> BookingPorts:
    from hotel_booking.dal.approvals import ApprovalsTable
    from hotel_booking.dal.bookings import BookingsTable
    from hotel_booking.dal.executions import Executions
    from hotel_booking.dal.hotels import HotelsTable
    from hotel_booking.logic.bookings import BookingPorts
    from hotel_booking.logic.cancellations import CancellationPolicy

    dynamodb = client("dynamodb", settings.region)
    executions = Executions(client("stepfunctions", settings.region), settings.state_machine_arn)
    return BookingPorts(
        sagas=executions,
        tasks=executions,
        hotels=HotelsTable(dynamodb, settings.hotels_table),
        bookings=BookingsTable(dynamodb, settings.bookings_table),
        approvals=ApprovalsTable(dynamodb, settings.approvals_table),
        region=settings.region,
        policy=CancellationPolicy(settings.full_refund_days),
        stay_horizon_days=settings.stay_horizon_days,
    )


def cancellation_ports(settings: BookingsApiSettings) -> CancellationPorts:
    from hotel_booking.dal.approvals import ApprovalsTable
    from hotel_booking.dal.bookings import BookingsTable
    from hotel_booking.dal.executions import Executions
    from hotel_booking.dal.hotels import HotelsTable
    from hotel_booking.logic.cancellations import CancellationPolicy, CancellationPorts

    dynamodb = client("dynamodb", settings.region)
    sfn = client("stepfunctions", settings.region)
    return CancellationPorts(
        hotels=HotelsTable(dynamodb, settings.hotels_table),
        bookings=BookingsTable(dynamodb, settings.bookings_table),
        approvals=ApprovalsTable(dynamodb, settings.approvals_table),
        tasks=Executions(sfn),
        cancellations=Executions(sfn, settings.cancellation_state_machine_arn),
        policy=CancellationPolicy(settings.full_refund_days),
    )


def finish_ports(settings: SagaSettings) -> FinishPorts:
    from hotel_booking.dal.bookings import BookingsTable
    from hotel_booking.logic.cancellations import FinishPorts
    from hotel_booking.logic.messages import GuestLetter

    dynamodb = client("dynamodb", settings.region)
    return FinishPorts(
        bookings=BookingsTable(dynamodb, settings.bookings_table),
        topics=_topics(settings),
        letter=GuestLetter(settings.site_url, settings.full_refund_days),
    )


def approval_page_ports(settings: ApprovalPageSettings) -> PagePorts:
    from hotel_booking.dal.approvals import ApprovalsTable
    from hotel_booking.dal.bookings import BookingsTable
    from hotel_booking.dal.executions import Executions
    from hotel_booking.logic.approval_pages import PagePorts

    dynamodb = client("dynamodb", settings.region)
    return PagePorts(
        approvals=ApprovalsTable(dynamodb, settings.approvals_table),
        bookings=BookingsTable(dynamodb, settings.bookings_table),
        tasks=Executions(client("stepfunctions", settings.region)),
    )


def event_bus(settings: PublisherSettings) -> tuple[EventBus, dict[str, Table]]:
    """The bus, and which write table each stream comes from."""
    from hotel_booking.dal.bus import EventBus

    bus = EventBus(client("events", settings.region), settings.event_bus_name)
    return bus, {settings.hotels_table: "hotels", settings.bookings_table: "bookings"}


def search_projection(settings: ProjectorSettings) -> SearchTable:
    from hotel_booking.search.dynamo import SearchTable

    return SearchTable(client("dynamodb", settings.region), settings.search_table)
