"""The gRPC storage proxy: many workers share one storage through one server.

Wire-compatible with Optuna 5.0's ``optuna.StorageService`` (see ``api.proto``): a trimtab
client works with Optuna's server and an Optuna client with trimtab's. grpcio and protobuf
load on first use (``pip install "trimtab[grpc]"``).
"""

from trimtab.storages._grpc._client import GrpcStorageProxy
from trimtab.storages._grpc._server import run_grpc_proxy_server

__all__ = ["GrpcStorageProxy", "run_grpc_proxy_server"]
