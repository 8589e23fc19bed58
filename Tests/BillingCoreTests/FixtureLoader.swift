import BillingCore
import Foundation

/// Reads the Stripe event fixtures bundled with this test target (copied from the shared
/// fixtures; tests never read outside their bundle).
enum FixtureLoader {
    struct MissingFixtures: Error, CustomStringConvertible {
        var description: String
    }

    /// The bundled `Fixtures` directory.
    static func directory() throws -> URL {
        guard let url = Bundle.module.url(forResource: "Fixtures", withExtension: nil) else {
            throw MissingFixtures(description: "Fixtures directory missing from the test bundle")
        }
        return url
    }

    /// Names of the real event payloads at the top of `Fixtures/`; the signed vector's
    /// `.meta.json` holds its secret and header, not an event, so it is left out.
    static func realEventNames() throws -> [String] {
        try jsonNames(in: directory()).filter { !$0.hasSuffix(".meta.json") }
    }

    /// Names of the hand-built basil payloads, prefixed with `handbuilt/`.
    static func handbuiltNames() throws -> [String] {
        try jsonNames(in: directory().appendingPathComponent("handbuilt")).map { "handbuilt/" + $0 }
    }

    /// Every event payload, real and hand-built.
    static func allEventNames() throws -> [String] {
        try realEventNames() + handbuiltNames()
    }

    /// The bytes of a fixture, by its path under `Fixtures/`.
    static func bytes(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: directory().appendingPathComponent(name)))
    }

    /// A fixture fully decoded.
    static func event(_ name: String) throws -> StripeEvent {
        try StripeEvent(parsing: bytes(name))
    }

    /// A fixture parsed as a plain JSON document (to edit it in tests).
    static func json(_ name: String) throws -> JSONValue {
        try JSONParser.parse(bytes(name))
    }

    private static func jsonNames(in directory: URL) throws -> [String] {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasSuffix(".json") }
            .sorted()
        guard !names.isEmpty else { throw MissingFixtures(description: "no .json fixtures in \(directory.path)") }
        return names
    }
}
