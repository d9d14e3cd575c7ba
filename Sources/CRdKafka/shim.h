// The C API of Debian's librdkafka, exposed to Swift. Only Sources/Kafka imports this module.
#pragma once
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
