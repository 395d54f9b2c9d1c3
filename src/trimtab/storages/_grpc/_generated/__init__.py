"""Modules compiled from ``../api.proto`` by grpcio-tools (see ``../_regenerate.py``)."""
