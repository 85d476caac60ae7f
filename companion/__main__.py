from companion.cli import cli

cli(prog_name="ssi-companion")
