"""Reliability: many writers at once, writers killed mid-record, and what the ledger does next."""
