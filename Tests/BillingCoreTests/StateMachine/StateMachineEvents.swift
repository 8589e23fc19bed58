import BillingCore
import StripeEventBuilders
import Testing

/// Feeding built documents through the real parser and decoder, as the processor would.
extension TestEvents {
    /// The document through the real parser and decoder, as the processor would see it.
    static func decode(_ document: JSONValue) throws -> StripeEvent {
        try StripeEvent(parsing: document.serializedBytes)
    }

    /// The state machine input of a document.
    static func input(_ document: JSONValue) throws -> BillingInput {
        let event = try decode(document)
        return try #require(try BillingInput(event: event), "\(event.type) maps to no input")
    }
}
