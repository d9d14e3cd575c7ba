import Benchmark
import Foundation
import Recommender
import StreamEngine

/// The tolerances of `make microbench`'s check against the stored p90 thresholds (Benchmarks/Thresholds/).
/// Allocations are exact: 5 %. Time is not, on a shared 2-core machine: the same build measured 2.1× apart with and
/// without `.ci/run` beside it, so time fails only beyond 3× its stored p90 (a lost cache or a copy per candidate
/// costs more); the ratios that say how fast a path is come from `bench`, measured against decode in one process.
var guarded: [BenchmarkMetric: BenchmarkThresholds] {
    [
        .mallocCountTotal: .init(relative: [.p90: 5]),
        .wallClock: .init(relative: [.p90: 200]),
    ]
}

// Names without spaces: the tool writes a threshold file under a shell-safe name but reads it back under the
// benchmark's own, so a name with spaces never finds its stored thresholds.
/// The per-event hot paths, each on its own, over the same 1 000 generated events (one scaled iteration = one
/// event): decode, routing, the user window, the item-CF count update, and one event through a warm user task with
/// and without its feed being ranked — the difference is the ranking of one list (candidates from the item table,
/// hybrid blend, FM score, diversity, list encoding).
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .mallocCountTotal], scalingFactor: .kilo, maxDuration: .seconds(2), thresholds: guarded)
    let sample = EventSample(count: 1_000)

    Benchmark("decode-JSON") { benchmark in
        for index in benchmark.scaledIterations {
            blackHole(try? EventCodec.decode(sample.json[index], format: .json))
        }
    }

    Benchmark("decode-CSV") { benchmark in
        for index in benchmark.scaledIterations {
            blackHole(try? EventCodec.decode(sample.csv[index], format: .csv))
        }
    }

    Benchmark("route-by-item-murmur2") { benchmark in
        for index in benchmark.scaledIterations {
            blackHole(KeyPartitioner.partition(for: sample.events[index].itemId.utf8, partitionCount: 16))
        }
    }

    Benchmark("user-window-update") { benchmark in
        // Steady state: every user's window already exists, as for all but a user's first event in a window.
        var windows = sample.windows
        benchmark.startMeasurement()
        for index in benchmark.scaledIterations {
            let event = sample.events[index]
            UserWindowAggregator.add(
                event, category: event.categoryId, weights: sample.weights, to: &windows[event.userId, default: .init()]
            )
        }
        blackHole(windows.count)
    }

    Benchmark("CF-co-occurrence-update-3-pairs") { benchmark in
        var counts = sample.coCounts
        benchmark.startMeasurement()
        for index in benchmark.scaledIterations {
            let event = sample.events[index]
            counts[event.itemId, default: .init()].add(sample.pairs[index], at: event.timestamp, limits: sample.limits)
        }
        blackHole(counts.count)
    }

    for scale in [false, true] {
        for feedDue in [true, false] {
            let name =
                (feedDue ? "user-task-event-feed-ranked-FM" : "user-task-event-no-feed-due")
                + (scale ? "-50000-item-table" : "-shop-table")
            let fixture = UserTaskFixture(sample: sample, feedDue: feedDue, scale: scale)
            Benchmark(name, configuration: .init(maxDuration: .seconds(5))) { benchmark in
                for _ in benchmark.scaledIterations { blackHole(fixture.processNextEvent()) }
            }
        }
    }
}
