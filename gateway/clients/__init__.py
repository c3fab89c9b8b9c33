"""Machine clients (接入系统): provincial platforms pulling data, department feeds pushing it."""
