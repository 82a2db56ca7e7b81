"""What the REST API accepts and answers: request bodies, query strings and views, one
module per API (``hotels``, ``users``, ``bookings``; shared field rules in ``fields``), so a
function builds only its own API's models at cold start.

A view declares each field it shows and takes only those from a record (by hand, or by name
with ``from_attributes``), so nothing stored (a request hash, a task token) reaches a response by
accident.
"""
