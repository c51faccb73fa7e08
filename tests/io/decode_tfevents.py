"""Decodes a TensorBoard event file without relabel's code: TFRecord framing checked with the
crc32c package (Debian's python3-crc32c), Event/Summary messages built here from the field
numbers of TensorFlow's public event.proto and summary.proto (python3-protobuf).
Prints one JSON object per record: {"wall_time", "step", "file_version"} or
{"wall_time", "step", "scalars": {tag: value}}. Exit 1 with a message on any framing error."""
import json
import struct
import sys

import crc32c
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

F = descriptor_pb2.FieldDescriptorProto


def schema():
    fd = descriptor_pb2.FileDescriptorProto(name="tf_event_check.proto", package="tfcheck",
                                            syntax="proto3")
    value = fd.message_type.add(name="Value")
    value.oneof_decl.add(name="value")
    value.field.add(name="tag", number=1, type=F.TYPE_STRING, label=F.LABEL_OPTIONAL)
    value.field.add(name="simple_value", number=2, type=F.TYPE_FLOAT, label=F.LABEL_OPTIONAL,
                    oneof_index=0)
    summary = fd.message_type.add(name="Summary")
    summary.field.add(name="value", number=1, type=F.TYPE_MESSAGE, label=F.LABEL_REPEATED,
                      type_name=".tfcheck.Value")
    event = fd.message_type.add(name="Event")
    event.oneof_decl.add(name="what")
    event.field.add(name="wall_time", number=1, type=F.TYPE_DOUBLE, label=F.LABEL_OPTIONAL)
    event.field.add(name="step", number=2, type=F.TYPE_INT64, label=F.LABEL_OPTIONAL)
    event.field.add(name="file_version", number=3, type=F.TYPE_STRING, label=F.LABEL_OPTIONAL,
                    oneof_index=0)
    event.field.add(name="summary", number=5, type=F.TYPE_MESSAGE, label=F.LABEL_OPTIONAL,
                    type_name=".tfcheck.Summary", oneof_index=0)
    pool = descriptor_pool.DescriptorPool()
    pool.Add(fd)
    desc = pool.FindMessageTypeByName("tfcheck.Event")
    if hasattr(message_factory, "GetMessageClass"):
        return message_factory.GetMessageClass(desc)
    return message_factory.MessageFactory(pool).GetPrototype(desc)


def masked(data):
    c = crc32c.crc32c(data)
    return ((((c >> 15) | (c << 17)) & 0xFFFFFFFF) + 0xA282EAD8) & 0xFFFFFFFF


def main(path):
    Event = schema()
    data = open(path, "rb").read()
    pos = 0
    while pos < len(data):
        if pos + 12 > len(data):
            sys.exit(f"{path}: truncated header at byte {pos}")
        header = data[pos:pos + 8]
        (length,) = struct.unpack("<Q", header)
        (length_crc,) = struct.unpack("<I", data[pos + 8:pos + 12])
        if length_crc != masked(header):
            sys.exit(f"{path}: bad length CRC at byte {pos}")
        body = data[pos + 12:pos + 12 + length]
        if len(body) != length or pos + 16 + length > len(data):
            sys.exit(f"{path}: truncated record at byte {pos}")
        (body_crc,) = struct.unpack("<I", data[pos + 12 + length:pos + 16 + length])
        if body_crc != masked(body):
            sys.exit(f"{path}: bad data CRC at byte {pos}")
        event = Event()
        event.ParseFromString(body)
        out = {"wall_time": event.wall_time, "step": event.step}
        if event.WhichOneof("what") == "file_version":
            out["file_version"] = event.file_version
        else:
            out["scalars"] = {v.tag: v.simple_value for v in event.summary.value
                              if v.WhichOneof("value") == "simple_value"}
        print(json.dumps(out))
        pos += 16 + length


if __name__ == "__main__":
    main(sys.argv[1])
