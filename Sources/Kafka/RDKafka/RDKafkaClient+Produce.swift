import CRdKafka
import StreamEngine

extension RDKafkaClient {
    /// `KafkaProducer.send`: queues one record, serving delivery reports while librdkafka's local queue is full (the
    /// retry reads librdkafka's error code, so it lives here).
    func produce(_ record: OutputRecord) throws(KafkaError) {
        while true {
            let error = Self.produce(record, on: handle)
            guard let error else { return }
            if rd_kafka_error_code(error) == RD_KAFKA_RESP_ERR__QUEUE_FULL {
                rd_kafka_error_destroy(error)
                poll(timeoutMilliseconds: 50)
                continue
            }
            throw KafkaError(consuming: error, while: "producing to \(record.topic)")
        }
    }

    /// Waits until every queued record is delivered or failed; throws a timeout error if some are still in flight.
    func flush(timeoutMilliseconds: Int32) throws(KafkaError) {
        try check(rd_kafka_flush(handle, timeoutMilliseconds), while: "flushing the producer")
    }

    /// Records queued or in flight (not yet acknowledged).
    var outQueueLength: Int { Int(rd_kafka_outq_len(handle)) }

    /// One `rd_kafka_produceva` call. Header names and values are copied into one scratch buffer so that every
    /// pointer handed to librdkafka is alive for the call; librdkafka copies the bytes (`RD_KAFKA_MSG_F_COPY`).
    private static func produce(_ record: OutputRecord, on handle: OpaquePointer) -> OpaquePointer? {
        let headerBytes = record.headers.reduce(0) { $0 + $1.name.utf8.count + 1 + ($1.value?.count ?? 0) }
        let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: max(headerBytes, 1), alignment: 1)
        defer { scratch.deallocate() }
        var values: [rd_kafka_vu_t] = []
        values.reserveCapacity(8 + record.headers.count)
        var cursor = 0
        for header in record.headers {
            var value = rd_kafka_vu_t()
            value.vtype = RD_KAFKA_VTYPE_HEADER
            let name = scratch.baseAddress! + cursor
            scratch[cursor..<cursor + header.name.utf8.count].copyBytes(from: header.name.utf8)
            cursor += header.name.utf8.count
            scratch[cursor] = 0
            cursor += 1
            value.u.header.name = UnsafePointer(name.assumingMemoryBound(to: CChar.self))
            if let bytes = header.value {
                scratch[cursor..<cursor + bytes.count].copyBytes(from: bytes)
                value.u.header.val = UnsafeRawPointer(scratch.baseAddress! + cursor)
                value.u.header.size = bytes.count
                cursor += bytes.count
            } else {
                value.u.header.size = -1
            }
            values.append(value)
        }
        values.append(.field(RD_KAFKA_VTYPE_MSGFLAGS) { $0.i = RD_KAFKA_MSG_F_COPY })
        if let partition = record.partition { values.append(.field(RD_KAFKA_VTYPE_PARTITION) { $0.i32 = partition }) }
        if let timestamp = record.timestamp { values.append(.field(RD_KAFKA_VTYPE_TIMESTAMP) { $0.i64 = timestamp }) }
        return record.topic.withCString { topic in
            values.append(.field(RD_KAFKA_VTYPE_TOPIC) { $0.cstr = topic })
            return withOptionalBytes(record.key) { key, keyCount in
                withOptionalBytes(record.value) { payload, payloadCount in
                    if let key { values.append(.bytes(RD_KAFKA_VTYPE_KEY, key, keyCount)) }
                    if let payload { values.append(.bytes(RD_KAFKA_VTYPE_VALUE, payload, payloadCount)) }
                    return rd_kafka_produceva(handle, values, values.count)
                }
            }
        }
    }
}

extension rd_kafka_vu_t {
    /// One typed argument of `rd_kafka_produceva`.
    fileprivate static func field(_ type: rd_kafka_vtype_t, _ set: (inout rd_kafka_vu_s.__Unnamed_union_u) -> Void)
        -> Self
    {
        var value = rd_kafka_vu_t()
        value.vtype = type
        set(&value.u)
        return value
    }

    fileprivate static func bytes(_ type: rd_kafka_vtype_t, _ pointer: UnsafeRawPointer, _ count: Int) -> Self {
        field(type) {
            $0.mem.ptr = UnsafeMutableRawPointer(mutating: pointer)
            $0.mem.size = count
        }
    }
}

/// Calls `body` with a pointer to the bytes (a non-nil pointer even for an empty array) or nil for no bytes at all.
private func withOptionalBytes<T>(_ bytes: [UInt8]?, _ body: (UnsafeRawPointer?, Int) -> T) -> T {
    guard let bytes else { return body(nil, 0) }
    if bytes.isEmpty {
        var empty: UInt8 = 0
        return withUnsafePointer(to: &empty) { body(UnsafeRawPointer($0), 0) }
    }
    return bytes.withUnsafeBytes { body($0.baseAddress!, bytes.count) }
}
