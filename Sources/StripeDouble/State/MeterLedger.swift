/// Every meter event per event name, with the rules Stripe applies when it aggregates them:
/// cancelled events and events with error reports never count.
struct MeterLedger: Sendable {
    var meters: [String: MeterSeed] = [:]
    var events: [MeterEventRecord] = []
    /// Index into `events` by identifier: identifiers are unique across the account.
    var byIdentifier: [String: Int] = [:]
    var errorReports: [MeterEventErrorReport] = []

    func meter(eventName: String) -> MeterSeed? {
        meters.values.first { $0.eventName == eventName }
    }

    /// The meter with this id, or with this event name.
    func meter(idOrEventName key: String) -> MeterSeed? {
        meters[key] ?? meter(eventName: key)
    }

    mutating func append(_ event: MeterEventRecord) {
        byIdentifier[event.identifier] = events.count
        events.append(event)
    }

    /// The aggregated value Stripe bills for `customer` over `[from, to)` by event timestamp.
    func total(meter: MeterSeed, customer: String, from: Int64, to: Int64) -> Int64 {
        let counted = events.filter {
            $0.eventName == meter.eventName && $0.customer == customer && !$0.canceled && $0.errorCode == nil
                && from <= $0.timestamp && $0.timestamp < to
        }
        switch meter.aggregation {
        case .sum: return counted.reduce(0) { $0 + $1.value }
        case .count: return Int64(counted.count)
        case .last: return counted.max { ($0.timestamp, $0.sequence) < ($1.timestamp, $1.sequence) }?.value ?? 0
        }
    }
}
