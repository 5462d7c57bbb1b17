"""The Lacuna API contract: generated modules for proto/lacuna/v1/*.proto.

    from lacuna.proto import types_pb2, service_pb2, service_pb2_grpc
"""

from lacuna.proto.lacuna.v1 import service_pb2, service_pb2_grpc, types_pb2

__all__ = ["service_pb2", "service_pb2_grpc", "types_pb2"]
