import Foundation
import Recommender

/// An SVG line chart of HR@N per time bucket, one line per strategy: axes with dates and rates, a grid, a legend
/// with each strategy's overall figure. Plain SVG 1.1 text, no scripts or external fonts.
public struct HitRateChart: Sendable {
    public var width = 960.0
    public var height = 540.0
    let margin = (top: 64.0, right: 210.0, bottom: 64.0, left: 72.0)

    /// Okabe–Ito colours (distinguishable with colour blindness); the served strategy, hybrid, in the strongest.
    static let colours: [RankingStrategy: String] = [
        .popular: "#7f7f7f", .trending: "#E69F00", .itemCF: "#009E73", .content: "#56B4E9", .blend: "#CC79A7",
        .learned: "#D55E00", .hybrid: "#0072B2",
    ]

    public init() {}

    public func svg(_ report: EvaluationReport, title: String? = nil) -> String {
        let plot = (
            x: margin.left, y: margin.top, width: width - margin.left - margin.right,
            height: height - margin.top - margin.bottom
        )
        let buckets = report.buckets
        let highest = buckets.flatMap { $0.metrics.values.map(\.hitRate) }.max() ?? 0
        let (top, step) = Self.axisScale(highest)
        let first = Double(buckets.first?.start ?? 0)
        let span = max(Double(buckets.last?.start ?? 0) - first, 1)
        func x(_ start: Int64) -> Double {
            buckets.count == 1 ? plot.x + plot.width / 2 : plot.x + (Double(start) - first) / span * plot.width
        }
        func y(_ rate: Double) -> Double { plot.y + plot.height * (1 - rate / top) }

        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Self.number(width))" height="\(Self.number(height))" \
            viewBox="0 0 \(Self.number(width)) \(Self.number(height))" font-family="Helvetica, Arial, sans-serif">
            <rect width="100%" height="100%" fill="white"/>

            """
        let heading = title ?? "HR@\(report.listLength) by \(report.bucket.rawValue), per strategy"
        svg += text(heading, x: plot.x, y: 28, size: 18, weight: "bold")
        svg += text(
            "\(report.evaluationPoints) evaluation points (\(report.targets.joined(separator: ",")) events), "
                + "\(report.events) events, catalogue \(report.catalogueSize) items",
            x: plot.x, y: 48, size: 12, fill: "#555")
        // Grid and y axis.
        var tick = 0.0
        while tick <= top + step / 2 {
            let position = y(tick)
            svg += line(plot.x, position, plot.x + plot.width, position, stroke: tick == 0 ? "#333" : "#e3e3e3")
            svg += text(String(format: "%.2f", tick), x: plot.x - 8, y: position + 4, size: 12, anchor: "end")
            tick += step
        }
        svg += line(plot.x, plot.y, plot.x, plot.y + plot.height, stroke: "#333")
        svg += pointBars(buckets, x: x, plot: plot)
        svg += text(
            "HR@\(report.listLength)", x: 18, y: plot.y + plot.height / 2, size: 13,
            rotate: "rotate(-90 18 \(Self.number(plot.y + plot.height / 2)))", anchor: "middle")
        // X ticks: at most about 8 dates.
        let every = max(1, Int((Double(buckets.count) / 8).rounded(.up)))
        for (index, bucket) in buckets.enumerated() where index % every == 0 {
            let position = x(bucket.start)
            svg += line(position, plot.y + plot.height, position, plot.y + plot.height + 5, stroke: "#333")
            svg += text(bucket.date, x: position, y: plot.y + plot.height + 20, size: 11, anchor: "middle")
            svg += text(
                "n=\(bucket.points)", x: position, y: plot.y + plot.height + 33, size: 10, fill: "#777",
                anchor: "middle")
        }
        svg += text(
            "\(report.bucket.rawValue) starting (UTC)", x: plot.x + plot.width / 2, y: height - 16, size: 13,
            anchor: "middle")
        // One line per strategy, points marked; the legend on the right with the overall figure.
        for (index, strategy) in report.strategies.enumerated() {
            let colour = Self.colours[strategy] ?? "#000"
            let strokeWidth = strategy == .hybrid ? 3.0 : 1.8
            let points = buckets.compactMap { bucket in
                bucket.metrics[strategy.rawValue].map { (x(bucket.start), y($0.hitRate)) }
            }
            let path = points.map { "\(Self.number($0.0)),\(Self.number($0.1))" }.joined(separator: " ")
            svg += "<polyline fill=\"none\" stroke=\"\(colour)\" stroke-width=\"\(strokeWidth)\" "
            svg += "stroke-linejoin=\"round\" points=\"\(path)\"/>\n"
            for point in points {
                svg += "<circle cx=\"\(Self.number(point.0))\" cy=\"\(Self.number(point.1))\" r=\"2.5\" "
                svg += "fill=\"\(colour)\"/>\n"
            }
            let legendY = plot.y + 12 + Double(index) * 24
            let legendX = plot.x + plot.width + 20
            svg += line(legendX, legendY, legendX + 24, legendY, stroke: colour, width: strokeWidth)
            let overall = report.overall[strategy.rawValue].map { String(format: " %.3f", $0.hitRate) } ?? ""
            svg += text("\(strategy.rawValue)\(overall)", x: legendX + 32, y: legendY + 4, size: 13)
        }
        svg += text(
            "overall HR@\(report.listLength)", x: plot.x + plot.width + 20,
            y: plot.y + 12 + Double(report.strategies.count) * 24 + 4, size: 11, fill: "#555")
        return svg + "</svg>\n"
    }

    /// Evaluation points per bucket as pale bars along the bottom (the tallest a fifth of the plot), so a thin
    /// bucket's noisy rate is seen as such; each bar's count is its tooltip and, at the date ticks, under the date.
    private func pointBars(
        _ buckets: [BucketMetrics], x: (Int64) -> Double, plot: (x: Double, y: Double, width: Double, height: Double)
    ) -> String {
        guard let most = buckets.map(\.points).max(), most > 0 else { return "" }
        let barWidth = max(2, plot.width / Double(max(buckets.count, 1)) * 0.6)
        var svg = ""
        for bucket in buckets {
            let barHeight = plot.height / 5 * Double(bucket.points) / Double(most)
            svg += "<rect x=\"\(Self.number(x(bucket.start) - barWidth / 2))\" "
            svg += "y=\"\(Self.number(plot.y + plot.height - barHeight))\" width=\"\(Self.number(barWidth))\" "
            svg +=
                "height=\"\(Self.number(barHeight))\" fill=\"#eeeeee\"><title>\(bucket.points) points</title></rect>\n"
        }
        return svg
    }

    /// The axis top (a whole number of steps at or above `highest`) and a step of 1, 2 or 5 × 10^k giving 4–10
    /// ticks.
    public static func axisScale(_ highest: Double) -> (top: Double, step: Double) {
        guard highest > 0 else { return (1, 0.2) }
        let raw = highest / 5
        let magnitude = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? 10 * magnitude
        return ((highest / step).rounded(.up) * step, step)
    }

    static func number(_ value: Double) -> String { String(format: "%.1f", value) }

    static func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    private func line(
        _ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, stroke: String, width: Double = 1
    ) -> String {
        "<line x1=\"\(Self.number(x1))\" y1=\"\(Self.number(y1))\" x2=\"\(Self.number(x2))\" y2=\"\(Self.number(y2))\" "
            + "stroke=\"\(stroke)\" stroke-width=\"\(width)\"/>\n"
    }

    private func text(
        _ content: String, x: Double, y: Double, size: Double, weight: String = "normal", fill: String = "#222",
        rotate: String? = nil, anchor: String = "start"
    ) -> String {
        let transform = rotate.map { " transform=\"\($0)\"" } ?? ""
        return "<text x=\"\(Self.number(x))\" y=\"\(Self.number(y))\" font-size=\"\(Self.number(size))\" "
            + "font-weight=\"\(weight)\" fill=\"\(fill)\" text-anchor=\"\(anchor)\"\(transform)>"
            + "\(Self.escaped(content))</text>\n"
    }
}
