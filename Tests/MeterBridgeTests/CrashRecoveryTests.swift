import AsyncHTTPClient
import BillingStore
import Foundation
import MeterBridgeTesting
import Testing

/// SIGKILL during concurrent deliveries loses no acknowledged event and stores none twice (docs/http-api.md: never a 2xx before the commit).
@Suite(.serialized)
struct CrashRecoveryTests {
    static let secret = "whsec_crash_test_secret"

    @Test func everyAcknowledgedEventSurvivesSIGKILLAtARandomMoment() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let binary = try ServerProcess.builtBinary()
        var acknowledged = Set<String>()
        for round in 0..<3 {
            let port = try ServerProcess.freePort()
            let server = try ServerProcess(
                binary: binary, port: port,
                environment: RealServer.environment(port: port, databasePath: directory.databasePath, secret: Self.secret),
                logFile: directory.path + "/serve-\(round).log"
            )
            try await server.waitUntilServing()
            let acked = IDCollector()
            let killAfter = Duration.milliseconds(Int.random(in: 300...1200))
            await withTaskGroup(of: Void.self) { group in
                for sender in 0..<16 {
                    group.addTask {
                        var sequence = 0
                        while true {
                            let id = "evt_crash_r\(round)_s\(sender)_\(sequence)"
                            sequence += 1
                            guard let answer = try? await RealServer.deliver(TestEvent.json(id: id), secret: Self.secret, to: "http://127.0.0.1:\(port)") else {
                                return  // the server is gone
                            }
                            if answer.status == 200 { acked.add(id) }
                        }
                    }
                }
                group.addTask {
                    try? await Task.sleep(for: killAfter)
                    server.kill()
                }
            }
            let thisRound = Set(acked.all)
            #expect(!thisRound.isEmpty, "round \(round): nothing was acknowledged before the kill:\n\(server.log)")
            acknowledged.formUnion(thisRound)
        }

        // A restarted server finds every acknowledged event and answers each redelivery as a duplicate.
        let port = try ServerProcess.freePort()
        let server = try ServerProcess(
            binary: binary, port: port,
            environment: RealServer.environment(port: port, databasePath: directory.databasePath, secret: Self.secret),
            logFile: directory.path + "/serve-final.log"
        )
        try await server.waitUntilServing()
        let notDuplicate = IDCollector()
        let ids = Array(acknowledged)
        await withTaskGroup(of: Void.self) { group in
            for worker in 0..<8 {
                group.addTask {
                    for id in stride(from: worker, to: ids.count, by: 8).map({ ids[$0] }) {
                        let answer = try? await RealServer.deliver(TestEvent.json(id: id), secret: Self.secret, to: "http://127.0.0.1:\(port)")
                        if answer?.body != #"{"received":true,"duplicate":true}"# { notDuplicate.add(id) }
                    }
                }
            }
        }
        #expect(notDuplicate.all.isEmpty, "acknowledged but not found after restart: \(notDuplicate.all.prefix(5))")
        #expect(server.terminate() == 0, "graceful shutdown failed:\n\(server.log)")

        let database = try await SQLiteDatabase.open(path: directory.databasePath, logger: quietLogger)
        let stored = try await database.events(EventQuery()).map(\.id)
        await database.close()
        #expect(Set(stored).count == stored.count, "an event id is stored twice")
        #expect(acknowledged.isSubset(of: Set(stored)))
    }
}
