"""The fault matrix's booking rows: the booking saga's steps and compensations (a booking
the manager approves or rejects) under every kind of fault
(tests/integration/saga/fault_matrix.py says which, and what holds)."""

from tests.integration.saga.fault_matrix import rows_of

matrix, test_every_cell_of_the_booking_rows_holds = rows_of("booking")
