import Foundation
import MeterBridgeTesting
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A client dribbling a request one byte at a time is cut off by the header and body deadlines, not kept forever.
@Suite(.serialized)
struct SlowClientTests {
    @Test(arguments: [
        ("head", "POST /webhooks/stripe HTTP/1.1\r\nHost: 127.0.0.1\r\n", Array("X-Slow: abcdefghijklmnopqrstuvwxyz".utf8)),
        ("body", "POST /webhooks/stripe HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100000\r\n\r\n", Array(repeating: UInt8(ascii: "x"), count: 200)),
        // A kept-alive connection's second request: its wait starts after the timer set at connect, which must then
        // move on to the new deadline rather than close the connection early or forget it.
        (
            "second request's body",
            "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\nPOST /webhooks/stripe HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100000\r\n\r\n",
            Array(repeating: UInt8(ascii: "x"), count: 200)
        ),
    ])
    func aDribblingClientIsDisconnected(phase: String, opening: String, dribble: [UInt8]) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (server, port) = try await Self.startServer(in: directory)

        let socket = try LoopbackSocket(port: port)
        defer { socket.close() }
        try socket.send(Array(opening.utf8))
        // Each byte arrives well within any idle timeout; only a deadline from the start of the wait ends this.
        var sent = 0
        while sent < dribble.count, socket.isOpen {
            try? socket.send([dribble[sent]])
            sent += 1
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(!socket.isOpen, "the \(phase) was still being accepted after \(sent) slow bytes")
        #expect(sent < dribble.count)
        server.terminate()
    }

    @Test func aKeptAliveClientSendingWholeRequestsIsNeverCutOff() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (server, port) = try await Self.startServer(in: directory)

        // Each request is whole and each wait is far shorter than its deadline, but the connection outlives them all.
        let socket = try LoopbackSocket(port: port)
        defer { socket.close() }
        for request in 1...8 {
            try socket.send(Array("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".utf8))
            try await Task.sleep(for: .milliseconds(400))
            #expect(socket.isOpen, "the connection was closed after request \(request) of 8, each sent within its deadline")
        }
        server.terminate()
    }

    /// The real binary with header and body deadlines of one second.
    private static func startServer(in directory: TemporaryDirectory) async throws -> (ServerProcess, port: Int) {
        let port = try ServerProcess.freePort()
        var environment = RealServer.environment(port: port, databasePath: directory.databasePath, secret: "whsec_slow")
        environment["MB_HEADER_TIMEOUT"] = "1"
        environment["MB_BODY_TIMEOUT"] = "1"
        let server = try ServerProcess(binary: try ServerProcess.builtBinary(), port: port, environment: environment, logFile: directory.path + "/serve.log")
        try await server.waitUntilServing()
        return (server, port)
    }
}

/// A blocking TCP connection to 127.0.0.1, enough to misbehave as a slow client.
struct LoopbackSocket {
    let descriptor: Int32

    init(port: Int) throws {
        descriptor = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw POSIXError(.ECONNREFUSED) }
    }

    func send(_ bytes: [UInt8]) throws {
        let written = bytes.withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        guard written == bytes.count else { throw POSIXError(.EPIPE) }
    }

    /// False once the server has closed the connection (a read returns end of file or an error). Whatever the server
    /// answered before is read and dropped: the end of file comes after it.
    var isOpen: Bool {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let received = Glibc.recv(descriptor, &buffer, buffer.count, Int32(MSG_DONTWAIT))
            if received == 0 { return false }
            if received < 0 { return errno == EAGAIN || errno == EWOULDBLOCK }
        }
    }

    func close() {
        _ = Glibc.close(descriptor)
    }
}
