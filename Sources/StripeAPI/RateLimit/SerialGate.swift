import Synchronization

/// One holder at a time per key, waiters served in arrival order: a small async keyed lock.
///
/// Stripe accepts only one concurrent meter-event call per customer and meter ("one concurrent call
/// per customer per meter"); the client holds the gate of `(customer, event name)` for the whole call,
/// retries included. Keys with neither holder nor waiter take no memory.
public final class SerialGate<Key: Hashable & Sendable>: Sendable {
    private struct Waiter {
        var id: UInt64
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        /// A key is present while held; its array lists the waiters, first in first out.
        var held: [Key: [Waiter]] = [:]
        var nextID: UInt64 = 0
    }

    private enum Admission {
        case acquired
        case queued
        case cancelled
    }

    private let state = Mutex(State())

    public init() {}

    /// Waits until the caller holds `key`; every successful `acquire` must be paired with one ``release(_:)``.
    /// Returns whether the caller had to queue behind another holder (after calling `onQueued` as it
    /// queued). Throws `CancellationError`, without holding the key, when the task is cancelled while queued.
    @discardableResult
    public func acquire(_ key: Key, onQueued: () -> Void = {}) async throws(CancellationError) -> Bool {
        let id: UInt64 = state.withLock { state in
            state.nextID += 1
            return state.nextID
        }
        var queued = false
        do {
            try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                    let admission: Admission = state.withLock { state in
                        // Checked under the lock the cancellation handler takes: a cancellation either
                        // happened before (seen here) or finds the waiter queued below.
                        if Task.isCancelled { return .cancelled }
                        guard state.held[key] != nil else {
                            state.held[key] = []
                            return .acquired
                        }
                        state.held[key]!.append(Waiter(id: id, continuation: continuation))
                        return .queued
                    }
                    switch admission {
                    case .acquired: continuation.resume()
                    case .cancelled: continuation.resume(throwing: CancellationError())
                    case .queued:
                        queued = true
                        onQueued()
                    }
                }
            } onCancel: {
                let waiter: Waiter? = state.withLock { state in
                    guard let index = state.held[key]?.firstIndex(where: { $0.id == id }) else { return nil }
                    return state.held[key]!.remove(at: index)
                }
                waiter?.continuation.resume(throwing: CancellationError())
            }
        } catch {
            throw CancellationError()
        }
        return queued
    }

    /// Releases `key`, handing it straight to the first waiter if there is one.
    public func release(_ key: Key) {
        let next: Waiter? = state.withLock { state in
            guard var waiters = state.held[key] else { preconditionFailure("Invalid state: releasing a gate that is not held") }
            guard !waiters.isEmpty else {
                state.held[key] = nil
                return nil
            }
            let first = waiters.removeFirst()
            state.held[key] = waiters
            return first
        }
        next?.continuation.resume()
    }

    /// How many callers are queued behind the holder of `key`.
    public func waiting(for key: Key) -> Int {
        state.withLock { $0.held[key]?.count ?? 0 }
    }
}
