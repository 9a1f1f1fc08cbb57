"""The deposit money path in the core, fed by the bank adapters (issue 13): the double-entry
ledger (:mod:`.ledger`), bank credits (:mod:`.credits`) and refund lines (:mod:`.refunds`).
Nothing here talks to a bank; docs/deposits.md says what the adapters call."""
