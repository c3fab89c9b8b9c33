"""Field sync (移动端同步): offline devices push queued operations and pull their villages'
changes. Every operation goes through the same service functions as the REST routes."""
