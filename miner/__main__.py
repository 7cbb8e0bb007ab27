from miner.cli import cli

cli(prog_name="miner")
