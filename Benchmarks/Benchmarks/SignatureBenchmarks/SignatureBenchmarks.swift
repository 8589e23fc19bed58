import Benchmark
import BillingCore

/// Webhook signature verification: a 4 KB body checked against two configured secrets (target: under 5 µs).
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .throughput], maxDuration: .seconds(3))

    let now: Int64 = 1_763_700_000
    let body = Array(repeating: UInt8(ascii: "x"), count: 4096)
    let secrets = ["whsec_previous_secret_0123456789abcdef", "whsec_current_secret_0123456789abcdef"]
    let verifier = WebhookSignatureVerifier(secrets: secrets)
    // Signed with the second secret only, so the verifier has to compute both HMACs: the worst case of a roll.
    let headerForSecond = WebhookSigner(secret: secrets[1]).header(for: body, timestamp: now)
    let headerForFirst = WebhookSigner(secret: secrets[0]).header(for: body, timestamp: now)

    Benchmark("verify 4 KB, two secrets, match on the second") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try? verifier.verify(payload: body, header: headerForSecond, now: now))
        }
    }

    Benchmark("verify 4 KB, two secrets, match on the first") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try? verifier.verify(payload: body, header: headerForFirst, now: now))
        }
    }

    let key = HMACSHA256Key(secret: secrets[0])
    Benchmark("part: HMAC-SHA256 of 4 KB") { benchmark in
        var tag = [UInt8](repeating: 0, count: 32)
        for _ in benchmark.scaledIterations {
            body.withUnsafeBytes { b in tag.withUnsafeMutableBytes { key.authenticate(b, into: $0) } }
            blackHole(tag)
        }
    }
    Benchmark("part: header parse") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try? StripeSignatureHeader(parsing: headerForSecond))
        }
    }
}
