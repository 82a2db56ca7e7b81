"""The fault matrix's cancellation rows: the cancellation saga's steps (a confirmed booking
the guest cancels) under every kind of fault
(tests/integration/saga/fault_matrix.py says which, and what holds)."""

from tests.integration.saga.fault_matrix import rows_of

matrix, test_every_cell_of_the_cancellation_rows_holds = rows_of("cancellation")
