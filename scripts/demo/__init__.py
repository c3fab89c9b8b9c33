"""The demo data generator (演示数据): a realistic province created through the public API."""
