import Logging

/// What librdkafka tells the application from its own threads (logs, client-level errors, delivery reports) and, for
/// a consumer, from inside its poll (rebalances). Owned by the client that owns the handle; librdkafka reaches it
/// through the handle's opaque pointer.
final class RDKafkaCallbacks: @unchecked Sendable {
    // Immutable after init, and the closures librdkafka's threads call are Sendable, so this is safe to read from
    // them. `onRebalance` is not Sendable: librdkafka calls it only on the thread that polls the consumer.
    let logger: Logger
    let onError: @Sendable (KafkaError) -> Void
    let onDelivery: (@Sendable (DeliveryReport) -> Void)?
    let onRebalance: KafkaConsumer.RebalanceHandler?
    /// librdkafka's statistics JSON, every `statistics.interval.ms`.
    let onStatistics: (@Sendable (String) -> Void)?
    /// An offset reset librdkafka applied (it reports them only in its log).
    let onOffsetReset: (@Sendable (OffsetResetEvent) -> Void)?

    init(
        logger: Logger, onError: @escaping @Sendable (KafkaError) -> Void,
        onOffsetReset: (@Sendable (OffsetResetEvent) -> Void)? = nil,
        onDelivery: (@Sendable (DeliveryReport) -> Void)? = nil,
        onRebalance: KafkaConsumer.RebalanceHandler? = nil,
        onStatistics: (@Sendable (String) -> Void)? = nil
    ) {
        self.logger = logger
        self.onError = onError
        self.onDelivery = onDelivery
        self.onRebalance = onRebalance
        self.onStatistics = onStatistics
        self.onOffsetReset = onOffsetReset
    }

    static func from(_ opaque: UnsafeMutableRawPointer?) -> RDKafkaCallbacks? {
        guard let opaque else { return nil }
        return Unmanaged<RDKafkaCallbacks>.fromOpaque(opaque).takeUnretainedValue()
    }
}
