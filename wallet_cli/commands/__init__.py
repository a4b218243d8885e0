"""The commands of `mixer`, one module each (a group for `notes` and `snark`); none imports
another, and `wallet_cli.app` registers them. Kept empty so that importing the light
`snark` module does not load the others."""
