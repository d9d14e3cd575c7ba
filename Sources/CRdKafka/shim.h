// The C API of Debian's librdkafka, exposed to Swift. Only Sources/Kafka imports this module.
#pragma once
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

// One error for the next request of a kind on one broker: the variadic push is not callable from Swift.
static inline rd_kafka_resp_err_t streamrec_mock_broker_push_request_error(
    rd_kafka_mock_cluster_t *mcluster, int32_t broker_id, int16_t api_key, rd_kafka_resp_err_t err) {
    return rd_kafka_mock_broker_push_request_error_rtts(mcluster, broker_id, api_key, 1, err, 0);
}

#include <dirent.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <sys/socket.h>

// The mock cluster's brokers leave Nagle's algorithm on for their connections (Apache Kafka's brokers turn it off):
// the last small response of a burst then waits for the client's delayed ACK, 40 ms on Linux, so every flush of a
// producer took 40–50 ms however little it sent. Linux copies TCP_NODELAY from a listening socket to the
// connections it accepts, so setting it on a broker's listener (found among this process's descriptors by its local
// port) before clients connect covers its connections; the mock replaces a broker's listener when it takes the broker
// down, so it is set again then. Looks at the TCP sockets whose local port is `port` (the listener and the
// connections it accepted), sets TCP_NODELAY on them if `set`, counts in `with_nodelay` those that have it, and
// returns how many it looked at (-1: /proc/self/fd unreadable). A descriptor another thread closes and reuses meanwhile
// can at worst be a socket that gets TCP_NODELAY too.
static inline int streamrec_sockets_on_port(int port, int set, int *with_nodelay) {
    DIR *fds = opendir("/proc/self/fd");
    if (!fds) return -1;
    int found = 0, nodelay = 0;
    struct dirent *entry;
    while ((entry = readdir(fds)) != NULL) {
        if (entry->d_name[0] < '0' || entry->d_name[0] > '9') continue;
        int fd = atoi(entry->d_name);
        if (fd == dirfd(fds)) continue;
        struct sockaddr_storage address;
        socklen_t length = sizeof address;
        if (getsockname(fd, (struct sockaddr *)&address, &length) != 0) continue;
        int local;
        if (address.ss_family == AF_INET) local = ntohs(((struct sockaddr_in *)&address)->sin_port);
        else if (address.ss_family == AF_INET6) local = ntohs(((struct sockaddr_in6 *)&address)->sin6_port);
        else continue;
        if (local != port) continue;
        int on = 1;
        if (set) setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
        int value = 0;
        socklen_t size = sizeof value;
        if (getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &value, &size) == 0 && value) nodelay++;
        found++;
    }
    closedir(fds);
    if (with_nodelay) *with_nodelay = nodelay;
    return found;
}
