"""The gateway: identity, areas, routing to the services, per-county indicators."""
