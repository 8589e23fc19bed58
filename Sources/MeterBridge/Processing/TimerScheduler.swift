import BillingCore
import BillingStore
import Logging
import ServiceLifecycle

/// Fires due timers (pre-boundary and final flushes, schedule phase starts) by feeding them to the state machine.
public struct TimerScheduler: Service {
    let state: any BillingStateStore
    /// Set on a store several instances share: a subscription's timers fire on the instance holding its lease.
    let leases: (any WorkLeasing)?
    /// How long a subscription's lease lasts (see `EventProcessor.Configuration.leaseDuration`).
    let leaseDuration: Duration
    let clock: any UnixClock
    let machine: BillingMachineConfiguration
    /// Poked after timers produced actions (boundary flushes), so the reporter runs at once.
    let actionsSignal: WorkSignal?
    let logger: Logger
    /// How often to look for due timers; boundaries are known minutes ahead, so a second is plenty.
    let tick: Duration

    public init(
        state: any BillingStateStore, leases: (any WorkLeasing)? = nil, clock: any UnixClock, machine: BillingMachineConfiguration,
        actionsSignal: WorkSignal? = nil, tick: Duration = .seconds(1), leaseDuration: Duration = .seconds(30), logger: Logger
    ) {
        self.leases = leases
        self.leaseDuration = leaseDuration
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
        let now = clock.now
        let due = try await state.dueTimers(at: now, limit: 256)
        var bySubscription: [String: [TimerRecord]] = [:]
        for timer in due { bySubscription[timer.subscriptionID, default: []].append(timer) }
        guard let leases else { return try await fire(bySubscription, now: now) }
        let names = bySubscription.keys.map(WorkLease.subscription)
        return try await leases.withLeases(names, now: now, duration: leaseDuration) { held in
            try await fire(bySubscription.filter { held.contains(WorkLease.subscription($0.key)) }, now: now)
        }
    }

    private func fire(_ bySubscription: [String: [TimerRecord]], now: UnixTime) async throws -> Int {
        var fired = 0
        for (subscriptionID, timers) in bySubscription {
            let output: WorkflowOutput
            do {
                // Guarded, as the processor's commits: a step applied meanwhile elsewhere means fire again next tick.
                output = try await state.runWorkflow(timers.map { .timer(id: $0.id) }, subscriptionID: subscriptionID, configuration: machine, now: now)
            } catch let conflict as BillingStateConflict {
                logger.notice("Subscription changed while its timers fired; firing them next tick", metadata: ["error": "\(conflict)"])
                continue
            }
            fired += timers.count
            if !output.outbox.isEmpty { actionsSignal?.poke() }
            logger.debug("Timers fired", metadata: ["stripe.subscription.id": "\(subscriptionID)", "timers": "\(timers.map(\.id))"])
        }
        return fired
    }
}
