import Foundation
import MeterBridge
import Synchronization

/// A one-line progress bar with rate and ETA on standard error, drawn only when standard error is a terminal
/// (never in pipes, logs or `--json` runs), at most ten times a second.
final class ProgressBar: Sendable {
    private struct State {
        var started = ContinuousClock.now
        var lastDrawn: ContinuousClock.Instant?
        var drawn = false
    }

    private let enabled: Bool
    private let label: String
    private let state = Mutex(State())

    init(label: String, enabled: Bool = isatty(STDERR_FILENO) == 1) {
        self.label = label
        self.enabled = enabled
    }

    /// Redraws the bar for `progress` (throttled).
    func update(_ progress: ReplayProgress) {
        guard enabled else { return }
        let now = ContinuousClock.now
        let line: String? = state.withLock { state in
            if let last = state.lastDrawn, now - last < .milliseconds(100), progress.done < progress.total { return nil }
            state.lastDrawn = now
            state.drawn = true
            return Self.render(progress, elapsed: now - state.started, label: label)
        }
        if let line { FileHandle.standardError.write(Data(("\r" + line + "\u{1B}[K").utf8)) }
    }

    /// Ends the bar's line, so what follows starts on a fresh one.
    func finish() {
        guard enabled, state.withLock({ $0.drawn }) else { return }
        FileHandle.standardError.write(Data("\n".utf8))
    }

    /// `rebuild [##########··········]  48%  480,000/1,000,000 events  41,200/s  ETA 12s`
    static func render(_ progress: ReplayProgress, elapsed: Duration, label: String) -> String {
        let total = max(progress.total, 1)
        let fraction = min(Double(progress.done) / Double(total), 1)
        let width = 24
        let filled = Int((fraction * Double(width)).rounded(.down))
        let bar = String(repeating: "#", count: filled) + String(repeating: "·", count: width - filled)
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let rate = seconds > 0 ? Double(progress.done) / seconds : 0
        let eta = rate > 0 ? Double(progress.total - progress.done) / rate : 0
        let percent = String(Int(fraction * 100)).leftPadded(3)
        let counts = "\(grouped(progress.done))/\(grouped(progress.total)) events"
        return "\(label) [\(bar)] \(percent)%  \(counts)  \(grouped(Int(rate)))/s  ETA \(Int(eta.rounded(.up)))s"
    }

    /// `1,000,000`.
    static func grouped(_ value: Int) -> String {
        let digits = Array(String(value))
        var out = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { out.append(",") }
            out.append(digit)
        }
        return out
    }
}

extension String {
    fileprivate func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
