"""The chain client: the 296-byte record, compiled contracts, deploy/deposit/withdraw, event sync."""
