import BillingCore
import BillingStore
import Foundation

/// Persists a `SubscriptionState` as JSON: readable with `sqlite3` when an operator needs to look.
enum SubscriptionStateCodec {
    static func decode(_ record: SubscriptionRecord) throws -> SubscriptionState {
        try JSONDecoder().decode(SubscriptionState.self, from: Data(record.state))
    }

    static func encode(_ state: SubscriptionState) throws -> [UInt8] {
        [UInt8](try JSONEncoder().encode(state))
    }

    /// The store row for `state` at `now`.
    static func record(_ state: SubscriptionState, at now: UnixTime) throws -> SubscriptionRecord {
        SubscriptionRecord(id: state.subscriptionID, customerID: state.customerID, updatedAt: now, state: try encode(state))
    }

    /// The timers table rows for the state's armed timers.
    static func timers(_ state: SubscriptionState) -> [TimerRecord] {
        state.timers.map { timer in
            TimerRecord(id: timer.id(subscriptionID: state.subscriptionID).description, subscriptionID: state.subscriptionID, kind: timer.kind.rawValue, fireAt: timer.fireAt)
        }
    }
}
