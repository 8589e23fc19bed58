import Synchronization

/// Wakes a waiting loop early: the webhook endpoint pokes it after storing an event so processing starts at once.
public final class WorkSignal: Sendable {
    private let waiters = Mutex<(poked: Bool, continuation: CheckedContinuation<Void, Never>?)>((false, nil))

    public init() {}

    /// Wakes the waiter, or makes its next wait return at once.
    public func poke() {
        let continuation = waiters.withLock { state -> CheckedContinuation<Void, Never>? in
            if let waiting = state.continuation {
                state.continuation = nil
                return waiting
            }
            state.poked = true
            return nil
        }
        continuation?.resume()
    }

    /// Returns after a poke or after `timeout`, whichever comes first. One waiter at a time.
    public func wait(timeout: Duration) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                await withTaskCancellationHandler {
                    await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                        let resumeNow = self.waiters.withLock { state -> Bool in
                            if state.poked {
                                state.poked = false
                                return true
                            }
                            state.continuation = continuation
                            return false
                        }
                        if resumeNow { continuation.resume() }
                    }
                } onCancel: {
                    self.poke()
                }
            }
            group.addTask { try? await Task.sleep(for: timeout) }
            await group.next()
            group.cancelAll()
        }
        // A poke that raced with the timeout is kept for the next wait (state.poked), so no work is missed.
    }
}
