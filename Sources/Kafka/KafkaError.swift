/// The one error type of the Kafka module: librdkafka's error code and text, plus what we were doing.
public struct KafkaError: Error, Sendable, Equatable, CustomStringConvertible {
    /// librdkafka's response code (negative codes are client-local, positive ones come from the broker).
    public var code: Int32
    /// librdkafka's name for the code, e.g. `_TIMED_OUT` or `UNKNOWN_TOPIC_OR_PART`.
    public var name: String
    /// Human text: librdkafka's message, prefixed with the operation that failed.
    public var message: String
    /// librdkafka says retrying the same call may succeed.
    public var isRetriable: Bool
    /// The handle can no longer be used (e.g. a fenced transactional producer).
    public var isFatal: Bool
    /// The current transaction must be aborted before the producer can go on (librdkafka's "abortable" errors).
    public var requiresAbort: Bool

    public init(
        code: Int32, name: String, message: String, isRetriable: Bool = false, isFatal: Bool = false,
        requiresAbort: Bool = false
    ) {
        self.code = code
        self.name = name
        self.message = message
        self.isRetriable = isRetriable
        self.isFatal = isFatal
        self.requiresAbort = requiresAbort
    }

    /// Errors raised by the wrapper itself, before librdkafka is involved (bad configuration values and the like).
    public static func invalidArgument(_ message: String) -> KafkaError {
        KafkaError(code: -186, name: "_INVALID_ARG", message: message)
    }

    /// A client-local timeout the wrapper itself detects, named as librdkafka names its own (`_TIMED_OUT`).
    static func timedOut(_ message: String) -> KafkaError {
        KafkaError(code: -185, name: "_TIMED_OUT", message: message)
    }

    /// A call the client's current state does not allow (librdkafka's `_STATE`), e.g. subscribing a closed consumer.
    static func illegalState(_ message: String) -> KafkaError {
        KafkaError(code: -172, name: "_STATE", message: message)
    }

    public var description: String { "\(message) [\(name) (\(code))]" }

    /// The client-local code for "no broker of the cluster is reachable" (`RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN`).
    public var isAllBrokersDown: Bool { code == -187 }

    /// The client-local code for a timed out operation (`RD_KAFKA_RESP_ERR__TIMED_OUT`).
    public var isTimeout: Bool { code == -185 }

    /// A produce or delivery error that sending the same record again cannot fix: the topic or partition does not
    /// exist (`UNKNOWN_TOPIC_OR_PART`, `_UNKNOWN_TOPIC`, `_UNKNOWN_PARTITION`, `INVALID_TOPIC_EXCEPTION`), or the record
    /// is too large for it (`MSG_SIZE_TOO_LARGE`, `RECORD_LIST_TOO_LARGE`).
    public var isPermanentForRecord: Bool { [3, 10, 17, 18, -188, -190].contains(code) }
}
