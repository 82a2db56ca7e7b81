"""Records the pure unit tests share."""

from __future__ import annotations

import datetime as dt

from hotel_booking.models import Hotel

NOW = dt.datetime(2030, 6, 15, 10, 0, tzinfo=dt.UTC)
GUEST = {"sub": "g", "name": "G", "email": "g@example.com"}
REQUEST = {
    "bookingId": "b1",
    "hotelId": "h1",
    "guest": GUEST,
    "checkIn": "2030-07-01",
    "checkOut": "2030-07-03",
    "rooms": 1,
    "paymentToken": "tok_visa",
}
HOTEL = Hotel.model_validate(
    {"hotelId": "h1", "name": "Sea View", "city": "Lisbon", "stars": 4, "pricePerNight": "100"}
    | {"rooms": 3, "managerEmail": "m@example.com", "createdAt": NOW, "updatedAt": NOW}
)
