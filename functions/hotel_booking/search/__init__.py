"""Hotel search: the CQRS read side.

``model`` (what a query asks and a page answers), ``text`` (case- and accent-insensitive
folding), ``ports`` (the store a query reads), ``query`` (the search itself, pure), ``dynamo``
(the DynamoDB projection table: reads for ``query``, conditional writes for ``projector``),
``projector`` (hotel and booking events -> the projection, idempotent and order-safe) and
``rebuild`` (the projection again from the write tables). Nothing here imports the API or
the saga: a containerised search service can import ``query`` + ``dynamo`` unchanged.
"""
