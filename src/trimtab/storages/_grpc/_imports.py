"""The generated gRPC modules, imported on first use with an error that names the extra."""

from __future__ import annotations

from types import ModuleType


def import_grpc() -> tuple[ModuleType, ModuleType, ModuleType]:
    """Return ``(grpc, api_pb2, api_pb2_grpc)``.

    Raises:
        ImportError: grpcio or protobuf is missing (``pip install "trimtab[grpc]"``).
    """
    try:
        import grpc

        from trimtab.storages._grpc._generated import api_pb2, api_pb2_grpc
    except ImportError as err:
        raise ImportError(
            f'The gRPC storage proxy needs grpcio and protobuf: pip install "trimtab[grpc]" ({err})'
        ) from err
    return grpc, api_pb2, api_pb2_grpc
