"""Entry point for ``pulumi up`` in this folder."""

from workload_program import program

program()
