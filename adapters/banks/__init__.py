"""Bank adapters: one package per bank profile (``line``, ``open``), each written from its
protocol document in ``docs/banks/``, speaking to the core only in
:mod:`core.services.banking.messages`."""
