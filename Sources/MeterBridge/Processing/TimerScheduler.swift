import BillingCore
import BillingStore
import Logging
import ServiceLifecycle

/// Fires due timers (pre-boundary and final flushes, schedule phase starts) by feeding them to the state machine.
public struct TimerScheduler: Service {
    let state: any BillingStateStore
    let clock: any UnixClock
    let machine: BillingMachineConfiguration
    /// Poked after timers produced actions (boundary flushes), so the reporter runs at once.
    let actionsSignal: WorkSignal?
    let logger: Logger
    /// How often to look for due timers; boundaries are known minutes ahead, so a second is plenty.
    let tick: Duration

    public init(
        state: any BillingStateStore, clock: any UnixClock, machine: BillingMachineConfiguration, actionsSignal: WorkSignal? = nil,
        tick: Duration = .seconds(1), logger: Logger
    ) {
        self.actionsSignal = actionsSignal
        self.state = state
        self.clock = clock
        self.machine = machine
        self.tick = tick
        self.logger = logger
    }

    public func run() async throws {
        while !Task.isCancelledOrShuttingDown {
            do {
                try await fireDue()
            } catch {
                logger.error("Firing timers failed", metadata: ["error": "\(error)"])
            }
            try? await Task.sleep(for: tick)
        }
    }

    /// Fires every timer due now; returns how many fired. Tests call it directly with a manual clock.
    @discardableResult
    public func fireDue() async throws -> Int {
        let nowMs = clock.nowMilliseconds()
        let due = try await state.dueTimers(at: nowMs / 1000, limit: 256)
        var bySubscription: [String: [TimerRecord]] = [:]
        for timer in due { bySubscription[timer.subscriptionID, default: []].append(timer) }
        for (subscriptionID, timers) in bySubscription {
            var step = try SubscriptionStep(
                subscriptionID: subscriptionID, stored: try await state.subscription(id: subscriptionID), configuration: machine, nowMs: nowMs
            )
            for timer in timers { step.fire(timer) }
            try await state.commit(try step.commit())
            if !step.actions.isEmpty { actionsSignal?.poke() }
            logger.debug("Timers fired", metadata: ["stripe.subscription.id": "\(subscriptionID)", "timers": "\(timers.map(\.id))"])
        }
        return due.count
    }
}
