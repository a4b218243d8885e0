"""The Solidity contracts on the EVM, one file per contract; the build check and the generated hashers."""
