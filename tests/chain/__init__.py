"""mixer.chain and the withdrawal path: the embedded chain, event sync, the record codec, end to end."""
