/// A stored event's bytes read as the state machine's input: the one place that decides whether an event is applied,
/// ignored (a type the machine does not react to) or failed (with the reason an operator sees).
public enum DecodedEvent: Sendable, Equatable {
    case input(BillingInput)
    /// A type the state machine does not react to: stored for replay, nothing to do.
    case ignored
    /// The event could not be read as its type's input; the text says why.
    case failed(String)

    /// Decodes a stored event. A type the machine does not handle is ignored without parsing its payload: the webhook
    /// checked the JSON when it stored it, and a rebuild reads a million of them.
    public static func decode(type: String, payload: [UInt8]) -> DecodedEvent {
        guard EventType.handled.contains(type) else { return .ignored }
        do {
            guard let input = try BillingInput(event: StripeEvent(parsing: payload)) else { return .ignored }
            return .input(input)
        } catch {
            return .failed(error.description)
        }
    }
}
