import Kafka
import StreamEngine
import Testing

@Suite struct ConsumerStatisticsTests {
    @Test func lagIsTheCommittedLagOrElseTheDistanceFromThePosition() {
        let json = """
            {"topics": {"t": {"partitions": {
              "0": {"consumer_lag": 7, "ls_offset": 100, "hi_offset": 100, "app_offset": 99},
              "1": {"consumer_lag": -1, "ls_offset": 100, "hi_offset": 120, "app_offset": 40},
              "2": {"consumer_lag": -1, "ls_offset": -1, "hi_offset": -1, "app_offset": -1},
              "-1": {"consumer_lag": 5}}}}}
            """
        let statistics = ConsumerStatistics(json: json)
        #expect(
            statistics.lag == [
                TopicPartition(topic: "t", partition: 0): 7, TopicPartition(topic: "t", partition: 1): 60,
            ])
    }

    @Test func brokersUpCountsConnectedBrokersNotTheLogicalOnes() {
        let json = """
            {"brokers": {
              "GroupCoordinator": {"nodeid": -1, "state": "UP"},
              "127.0.0.1:9092/bootstrap": {"nodeid": -1, "state": "UP"},
              "127.0.0.1:9092/1": {"nodeid": 1, "state": "DOWN"},
              "127.0.0.1:9093/2": {"nodeid": 2, "state": "CONNECT"}},
             "topics": {}}
            """
        #expect(ConsumerStatistics(json: json).brokersUp == 0)
        #expect(ConsumerStatistics(json: json.replacingOccurrences(of: "CONNECT", with: "UP")).brokersUp == 1)
        #expect(ConsumerStatistics(json: #"{"topics": {}}"#).brokersUp == nil)
    }
}
