import Dispatch
import Synchronization

/// A FIFO of jobs served by dedicated threads: producers never block, consumer threads sleep while it is empty.
///
/// Only the SQLite threads ever wait here, never a task of the Swift concurrency pool.
final class BlockingJobQueue<Job: Sendable>: Sendable {
    private struct State {
        var jobs: [Job] = []
        /// Index of the first job not yet taken; the array is compacted once the taken prefix is large.
        var head = 0
        /// Consumer threads waiting on `wakeup` that no producer has signalled yet.
        var sleepers = 0
        var closed = false

        var count: Int { jobs.count - head }
    }

    private let state = Mutex(State())
    // One signal per sleeping consumer: a producer signals only when it finds a sleeper, so a busy consumer
    // (the writer in the middle of a commit) costs producers nothing but the lock.
    private let wakeup = DispatchSemaphore(value: 0)

    /// Appends `job`; false when the queue is closed (the job is not queued).
    func enqueue(_ job: Job) -> Bool {
        let signal: Bool? = state.withLock { state in
            guard !state.closed else { return nil }
            state.jobs.append(job)
            guard state.sleepers > 0 else { return false }
            state.sleepers -= 1
            return true
        }
        guard let signal else { return false }
        if signal {
            wakeup.signal()
        }
        return true
    }

    /// Takes up to `maximum` jobs in FIFO order, sleeping while the queue is empty; nil once it is closed and drained.
    func take(maximum: Int) -> [Job]? {
        while true {
            let batch: [Job]?? = state.withLock { state in
                if state.count == 0 {
                    if state.closed { return .some(nil) }
                    state.sleepers += 1
                    return nil
                }
                let end = state.head + min(maximum, state.count)
                let batch = Array(state.jobs[state.head..<end])
                if end == state.jobs.count {
                    state.jobs.removeAll(keepingCapacity: true)
                    state.head = 0
                } else {
                    state.head = end
                    if state.head >= 1024 && state.head * 2 >= state.jobs.count {
                        state.jobs.removeFirst(state.head)
                        state.head = 0
                    }
                }
                return .some(batch)
            }
            if let batch {
                return batch
            }
            wakeup.wait()
        }
    }

    /// Jobs queued and not yet taken.
    var count: Int {
        state.withLock { $0.count }
    }

    /// Whether `close()` has been called.
    var isClosed: Bool {
        state.withLock { $0.closed }
    }

    /// Refuses new jobs; consumers drain what is queued, then `take` returns nil. Idempotent.
    func close() {
        let sleepers = state.withLock { state in
            state.closed = true
            defer { state.sleepers = 0 }
            return state.sleepers
        }
        for _ in 0..<sleepers {
            wakeup.signal()
        }
    }
}

/// Counts running threads; `wait()` suspends (without blocking a thread) until every one has exited.
final class ExitLatch: Sendable {
    private let state = Mutex<(remaining: Int, waiters: [CheckedContinuation<Void, Never>])>((0, []))

    /// Called before starting each thread.
    func enter() {
        state.withLock { $0.remaining += 1 }
    }

    /// Called once by each thread as it exits.
    func leave() {
        let waiters: [CheckedContinuation<Void, Never>] = state.withLock { state in
            state.remaining -= 1
            guard state.remaining == 0 else { return [] }
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters {
            waiter.resume()
        }
    }

    /// Returns once every thread has left.
    func wait() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let done = state.withLock { state in
                if state.remaining <= 0 { return true }
                state.waiters.append(continuation)
                return false
            }
            if done {
                continuation.resume()
            }
        }
    }
}
