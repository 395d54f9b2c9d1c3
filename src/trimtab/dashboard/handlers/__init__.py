"""Request handlers of the dashboard API, one module per resource (see ``_routes``)."""

__all__: list[str] = []
