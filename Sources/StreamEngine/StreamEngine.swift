// The stream engine: plain Swift, no Kafka.
