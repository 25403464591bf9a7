"""The audit trail: who changed what, recorded in the same transaction as the change."""
