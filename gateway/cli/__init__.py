"""The `citizen-gateway` command (main.py): one module per subcommand, argparse kept out of the core."""
