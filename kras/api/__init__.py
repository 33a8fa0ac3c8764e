"""API of the kras app, one module per area."""
