"""The chain client, the only code that builds, sends or reads transactions: reads and sends
(`client`), deploy/deposit/withdraw (`pool`), token calls (`erc20`), identifying a pool
(`identify`), revert sentences (`reverts`), event sync (`sync`), the 296-byte record
(`record`), the shipped compiled contracts (`artifacts`) and the chain backends (`backend`)."""
