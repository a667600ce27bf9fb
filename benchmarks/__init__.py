"""csflow benchmarks: ``make bench`` runs ``python -m benchmarks``."""
