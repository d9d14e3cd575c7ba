import CRdKafka

/// librdkafka's Admin API, on any client handle.
extension RDKafkaClient {
    /// Creates the topics, waiting up to `timeoutMilliseconds` for the controller. A topic that already exists is
    /// reported as `.alreadyExists`, not as a failure, so this is safe to run at every start.
    func createTopics(_ specifications: [TopicSpecification], timeoutMilliseconds: Int32)
        throws(KafkaError) -> [String: TopicCreation]
    {
        let newTopics = try specifications.map { (specification) throws(KafkaError) in try Self.newTopic(specification)
        }
        defer { newTopics.forEach { rd_kafka_NewTopic_destroy($0) } }

        let options = rd_kafka_AdminOptions_new(handle, RD_KAFKA_ADMIN_OP_CREATETOPICS)
        defer { rd_kafka_AdminOptions_destroy(options) }
        var errorText = [CChar](repeating: 0, count: errorTextCapacity)
        try check(
            rd_kafka_AdminOptions_set_request_timeout(options, timeoutMilliseconds, &errorText, errorText.count),
            while: "setting the admin request timeout")
        try check(
            rd_kafka_AdminOptions_set_operation_timeout(options, timeoutMilliseconds, &errorText, errorText.count),
            while: "setting the admin operation timeout")

        let queue = rd_kafka_queue_new(handle)
        defer { rd_kafka_queue_destroy(queue) }
        var topics: [OpaquePointer?] = newTopics
        rd_kafka_CreateTopics(handle, &topics, topics.count, options, queue)

        // The request timeout bounds the reply; a little slack covers the local queue hop.
        guard let event = rd_kafka_queue_poll(queue, timeoutMilliseconds + 5_000) else {
            throw KafkaError(RD_KAFKA_RESP_ERR__TIMED_OUT, while: "creating topics")
        }
        defer { rd_kafka_event_destroy(event) }
        try check(rd_kafka_event_error(event), while: "creating topics")
        guard let result = rd_kafka_event_CreateTopics_result(event) else {
            throw KafkaError.invalidArgument("creating topics: librdkafka returned an unexpected event")
        }
        var count = 0
        let results = rd_kafka_CreateTopics_result_topics(result, &count)
        var outcome: [String: TopicCreation] = [:]
        for index in 0..<count {
            guard let topic = results?[index] else { continue }
            let name = String(cString: rd_kafka_topic_result_name(topic))
            let code = rd_kafka_topic_result_error(topic)
            switch code {
            case RD_KAFKA_RESP_ERR_NO_ERROR: outcome[name] = .created
            case RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS: outcome[name] = .alreadyExists
            default:
                let detail = rd_kafka_topic_result_error_string(topic).map { String(cString: $0) }
                outcome[name] = .failed(KafkaError(code, while: "creating topic \(name)", detail: detail))
            }
        }
        return outcome
    }

    /// Builds librdkafka's NewTopic; librdkafka validates partition and replication counts and config names here.
    private static func newTopic(_ specification: TopicSpecification) throws(KafkaError) -> OpaquePointer {
        // librdkafka reads 0 and -1 as "the broker's default"; StreamRec always states its partition counts.
        guard specification.partitions >= 1, specification.replicationFactor >= 1 else {
            throw KafkaError.invalidArgument(
                "topic \(specification.name): partitions and replication factor must be at least 1 "
                    + "(got \(specification.partitions) and \(specification.replicationFactor))")
        }
        var errorText = [CChar](repeating: 0, count: errorTextCapacity)
        guard
            let topic = rd_kafka_NewTopic_new(
                specification.name, Int32(clamping: specification.partitions),
                Int32(clamping: specification.replicationFactor), &errorText, errorText.count)
        else {
            throw KafkaError.invalidArgument("topic \(specification.name): \(string(fromErrorText: errorText))")
        }
        for (key, value) in specification.configs.sorted(by: { $0.key < $1.key }) {
            let code = rd_kafka_NewTopic_set_config(topic, key, value)
            if code != RD_KAFKA_RESP_ERR_NO_ERROR {
                rd_kafka_NewTopic_destroy(topic)
                throw KafkaError(code, while: "topic \(specification.name) config \(key)=\(value)")
            }
        }
        return topic
    }
}
