import BillingCore
import Foundation

/// How the outbox stores a `BillingAction`: its Codable JSON, with the layout's version in the row's
/// `payload_version` column so that a later release can still read rows an earlier one wrote.
public enum OutboxPayload {
    /// The layout this release writes: `BillingAction`'s flat Codable object. Version 1 was the field bag of earlier
    /// releases, which migration 10 (SQLite) and 4 (PostgreSQL) rewrite as version 2.
    public static let version = 2

    /// The action's bytes, as `JSONEncoder` writes its Codable form with sorted keys and unescaped slashes: the same
    /// action always has the same bytes (a rebuild recognises the actions it decides again by them), and SQL's JSON
    /// functions write the same for the same values. Written by `FlatJSONEncoder`: a rebuild encodes about one action
    /// per event, and `JSONEncoder` would cost more than the rest of applying it (BENCHMARKS.md).
    public static func encode(_ action: BillingAction) -> [UInt8] {
        do {
            return try FlatJSONEncoder.encode(action)
        } catch {
            preconditionFailure("Invalid BillingAction encoding: its Codable form is a flat object of strings and integers (\(error))")
        }
    }

    /// The action stored as `bytes` in layout `version`.
    public static func decode(_ bytes: [UInt8], version: Int) -> Result<BillingAction, OutboxPayloadError> {
        guard version == Self.version else { return .failure(OutboxPayloadError(version: version, reason: "unknown payload version")) }
        do {
            return .success(try JSONDecoder().decode(BillingAction.self, from: Data(bytes)))
        } catch {
            return .failure(OutboxPayloadError(version: version, reason: "\(error)"))
        }
    }
}

/// An outbox row whose payload this release cannot read: the reporter gives the action up with this reason.
public struct OutboxPayloadError: Error, Hashable, Sendable, CustomStringConvertible {
    public var version: Int
    public var reason: String

    public var description: String { "outbox payload (version \(version)) cannot be read: \(reason)" }
}
