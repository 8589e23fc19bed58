import Synchronization

extension DoubleCore {
    /// The wait of a `.slow` fault: real time (the point is a client that waits), cut short by
    /// `releaseSlowRequests()` or by the server stopping; the request then completes normally.
    func delay(for duration: Duration) async {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: duration)
        let generation = state.withLock { $0.slowReleases }
        // Short naps rather than one long sleep, so a release is noticed within a few milliseconds.
        while clock.now < deadline, !Task.isCancelled, state.withLock({ $0.slowReleases }) == generation {
            try? await Task.sleep(for: min(.milliseconds(5), deadline - clock.now))
        }
    }
}
