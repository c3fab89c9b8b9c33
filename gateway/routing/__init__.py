"""Routing: each service's public API under `/api/v1/<service>/...`, streamed both ways."""
