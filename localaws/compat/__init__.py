"""Every patch of a third-party internal (moto, botocore, the interpreter) and the guard that
checks each still fits the pinned version. The lowest floor: it imports nothing of localaws but
the account constants."""
