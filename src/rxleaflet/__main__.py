"""``python -m rxleaflet``: the same as the ``rxleaflet`` command."""

from rxleaflet.launch import main

main()
