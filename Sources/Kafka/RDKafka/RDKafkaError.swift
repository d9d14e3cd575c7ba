import CRdKafka

extension KafkaError {
    /// Wraps a librdkafka response code, with the operation that failed in front of librdkafka's text.
    init(_ code: rd_kafka_resp_err_t, while operation: String, detail: String? = nil) {
        let text = detail ?? String(cString: rd_kafka_err2str(code))
        self.init(
            code: code.rawValue, name: String(cString: rd_kafka_err2name(code)), message: "\(operation): \(text)")
    }

    /// nil for `NO_ERROR`.
    init?(orNil code: rd_kafka_resp_err_t, while operation: String) {
        guard code != RD_KAFKA_RESP_ERR_NO_ERROR else { return nil }
        self.init(code, while: operation)
    }

    /// Takes ownership of an `rd_kafka_error_t` (the newer error object with retriable/fatal flags) and frees it.
    init(consuming error: OpaquePointer, while operation: String) {
        defer { rd_kafka_error_destroy(error) }
        self.init(
            code: rd_kafka_error_code(error).rawValue,
            name: String(cString: rd_kafka_error_name(error)),
            message: "\(operation): \(String(cString: rd_kafka_error_string(error)))",
            isRetriable: rd_kafka_error_is_retriable(error) != 0,
            isFatal: rd_kafka_error_is_fatal(error) != 0,
            requiresAbort: rd_kafka_error_txn_requires_abort(error) != 0)
    }
}

/// Throws when librdkafka returned an error code.
func check(_ code: rd_kafka_resp_err_t, while operation: String) throws(KafkaError) {
    if code != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaError(code, while: operation) }
}

/// Throws when librdkafka returned an error object.
func check(_ error: OpaquePointer?, while operation: String) throws(KafkaError) {
    if let error { throw KafkaError(consuming: error, while: operation) }
}

/// librdkafka writes error text into caller buffers of this size.
let errorTextCapacity = 512

/// The NUL-terminated text librdkafka wrote into an error buffer.
func string(fromErrorText buffer: [CChar]) -> String {
    String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
