"""``python -m rxleaflet``: the same as the ``rxleaflet`` command."""

from rxleaflet.cli import main

main()
