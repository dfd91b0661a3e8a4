"""``python -m civictools`` runs the command line."""

from civictools.cli import main

raise SystemExit(main())
