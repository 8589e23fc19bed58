import BillingCore
import Foundation
import Testing

/// Vectors made by stripe-python (scripts/gen_signature_vectors.py): meterbridge must agree with it, except where docs/billing-rules.md
/// ("Webhook signatures") says otherwise.
struct SignatureVectorTests {
    struct Verdict: Decodable, Equatable {
        let accepted: Bool
        let error: String?
    }

    struct Vector: Decodable {
        let name: String
        let category: String
        let payload_base64: String
        let header: String?
        let secrets: [String]
        let now: Int64
        let tolerance: Int64
        let python: Verdict
        let expected: Verdict
        let deviation: String?
    }

    struct VectorFile: Decodable {
        let stripe_python: String
        let vectors: [Vector]
    }

    static let vectors: [Vector] = {
        let url = Bundle.module.url(forResource: "Vectors/signature-vectors", withExtension: "json")!
        return try! JSONDecoder().decode(VectorFile.self, from: Data(contentsOf: url)).vectors
    }()

    // The only places where meterbridge differs from stripe-python (docs/billing-rules.md, "Webhook signatures").
    static let documentedDeviations: Set<String> = ["future_timestamp", "spaces_tolerated"]

    @Test func vectorSetCoversEveryCaseTheIssueNames() {
        #expect(Self.vectors.count >= 200)
        let categories = Set(Self.vectors.map(\.category))
        for required in ["valid", "tampered_body", "wrong_secret", "stale", "future", "multi_v1", "v0_only", "malformed_header"] {
            #expect(categories.contains(required), "no vector in category \(required)")
        }
        #expect(Self.vectors.contains { Data(base64Encoded: $0.payload_base64)!.isEmpty })
        #expect(Self.vectors.contains { String(decoding: Data(base64Encoded: $0.payload_base64)!, as: UTF8.self).unicodeScalars.contains { !$0.isASCII } })
    }

    @Test func expectationsMatchStripePythonExceptDocumentedDeviations() {
        for vector in Self.vectors {
            if let deviation = vector.deviation {
                #expect(Self.documentedDeviations.contains(deviation), "\(vector.name): undocumented deviation \(deviation)")
                #expect(vector.expected != vector.python, "\(vector.name): a deviation that changes nothing")
            } else {
                #expect(vector.expected == vector.python, "\(vector.name)")
            }
        }
    }

    @Test(arguments: vectors.map(\.name))
    func verifierGivesTheExpectedVerdict(name: String) throws {
        let vector = try #require(Self.vectors.first { $0.name == name })
        let payload = [UInt8](Data(base64Encoded: vector.payload_base64)!)
        let verifier = WebhookSignatureVerifier(secrets: vector.secrets, tolerance: vector.tolerance)
        let verdict: Verdict
        do {
            try verifier.verify(payload: payload, header: vector.header, now: vector.now)
            verdict = Verdict(accepted: true, error: nil)
        } catch {
            verdict = Verdict(accepted: false, error: error.code.rawValue)
        }
        #expect(verdict == vector.expected, "\(vector.name) [\(vector.category)] header=\(vector.header ?? "nil")")
    }
}
