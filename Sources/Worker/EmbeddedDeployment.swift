import Kafka

extension WorkerOptions {
    /// A worker configuration for an embedded cluster, with StreamRec's topics created on it: low session timeouts
    /// so group joins take seconds, and no log line per closed connection when the cluster goes away.
    public static func embedded(_ cluster: EmbeddedCluster, group: String, partitions: Int) throws(KafkaError)
        -> WorkerOptions
    {
        var configuration = KafkaConfiguration(bootstrapServers: cluster.bootstrapServers)
        configuration.properties["log.connection.close"] = "false"
        configuration.groupID = group
        configuration.sessionTimeoutMilliseconds = 6_000
        configuration.heartbeatIntervalMilliseconds = 500
        var options = WorkerOptions(kafka: configuration)
        options.topics.inputPartitions = partitions
        for specification in options.topics.specifications { try cluster.createTopic(specification) }
        return options
    }
}
