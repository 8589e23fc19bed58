import AsyncHTTPClient
import Foundation
import MeterBridgeTesting
import NIOCore
import NIOPosix
import NIOSSL
import Testing

/// Native HTTPS: a certificate made here, a signed delivery accepted over TLS 1.2+, plain HTTP and old TLS refused.
struct HTTPSTests {
    static let secret = "whsec_tls_test_secret"

    @Test func aSignedDeliveryOverTLSIsAccepted() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let certificate = directory.path + "/cert.pem", key = directory.path + "/key.pem"
        try SelfSignedCertificate.make(certificate: certificate, key: key)

        let port = try ServerProcess.freePort()
        var environment = RealServer.environment(port: port, databasePath: directory.databasePath, secret: Self.secret)
        environment["MB_TLS_CERT"] = certificate
        environment["MB_TLS_KEY"] = key
        let server = try ServerProcess(binary: try ServerProcess.builtBinary(), port: port, environment: environment, logFile: directory.path + "/serve.log")

        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(certificate))
        let client = HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: .init(tlsConfiguration: tls))
        var oldTLS = tls
        oldTLS.maximumTLSVersion = .tlsv11
        let oldClient = HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: .init(tlsConfiguration: oldTLS))
        do {
            try await server.waitUntilServing(scheme: "https", client: client)
            let answer = try await RealServer.deliver(TestEvent.json(id: "evt_over_tls"), secret: Self.secret, to: "https://127.0.0.1:\(port)", client: client)
            #expect(answer.status == 200)
            #expect(answer.body == #"{"received":true,"duplicate":false}"#)

            await #expect(throws: (any Error).self, "plain HTTP to the TLS port") {
                try await RealServer.deliver(TestEvent.json(id: "evt_plain"), secret: Self.secret, to: "http://127.0.0.1:\(port)")
            }
            await #expect(throws: (any Error).self, "TLS 1.1 must be refused") {
                try await RealServer.deliver(TestEvent.json(id: "evt_tls11"), secret: Self.secret, to: "https://127.0.0.1:\(port)", client: oldClient)
            }
        } catch {
            try await client.shutdown()
            try await oldClient.shutdown()
            throw error
        }
        try await client.shutdown()
        try await oldClient.shutdown()
        #expect(server.terminate() == 0, "\(server.log)")
    }
}

/// Makes a throwaway certificate for 127.0.0.1 with the openssl command-line tool.
enum SelfSignedCertificate {
    static func make(certificate: String, key: String) throws {
        let process = try ChildProcess(
            executable: "/usr/bin/env",
            arguments: [
                "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", key, "-out", certificate, "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
            ],
            environment: ProcessInfo.processInfo.environment, outputPath: nil, errorPath: nil
        )
        let status = process.waitUntilExit()
        guard status == 0 else {
            throw ServerProcessError(message: "openssl req failed (\(status)); is the openssl package installed?")
        }
    }
}
