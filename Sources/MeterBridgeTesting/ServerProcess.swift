import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// The real `meterbridge` binary running `serve` in a child process, for tests that crash, restart or speak TLS to it.
public final class ServerProcess: Sendable {
    public let port: Int
    public let environment: [String: String]
    private let process: ChildProcess
    private let logFile: String

    /// Starts `meterbridge serve` with `environment` added to the parent's; stdout and stderr are appended to `logFile`, so
    /// a restarted server's log follows the one before it.
    public init(binary: String, port: Int, environment: [String: String], arguments: [String] = [], logFile: String) throws {
        self.port = port
        self.environment = environment
        self.logFile = logFile
        process = try ChildProcess(
            executable: binary, arguments: ["serve"] + arguments, environment: ProcessInfo.processInfo.environment.merging(environment) { $1 },
            outputPath: logFile, errorPath: logFile
        )
    }

    /// The server's process id.
    public var pid: Int32 { process.pid }
    public var isRunning: Bool { process.isRunning }

    /// What the server printed so far (for failure messages).
    public var log: String { (try? String(contentsOfFile: logFile, encoding: .utf8)) ?? "" }

    /// Waits until `GET path` answers 200, or throws after `timeout`.
    public func waitUntilServing(scheme: String = "http", client: HTTPClient = .shared, path: String = "/healthz", timeout: Duration = .seconds(30)) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            guard process.isRunning else { throw ServerProcessError(message: "meterbridge exited with \(process.terminationStatus):\n\(log)") }
            if let response = try? await client.execute(HTTPClientRequest(url: "\(scheme)://127.0.0.1:\(port)\(path)"), timeout: .seconds(2)),
                response.status == .ok
            {
                return
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw ServerProcessError(message: "meterbridge did not serve \(path) within \(timeout):\n\(log)")
    }

    /// Sends `signal` (SIGKILL by default: the crash the durability promise is about) and waits for the exit.
    public func kill(_ signal: Int32 = SIGKILL) {
        guard process.isRunning else { return }
        process.send(signal)
        process.waitUntilExit()
    }

    /// Asks for a graceful stop (SIGTERM) and returns the exit status.
    @discardableResult
    public func terminate() -> Int32 {
        kill(SIGTERM)
        return process.terminationStatus
    }

    deinit {
        if process.isRunning {
            process.send(SIGKILL)
            process.waitUntilExit()
        }
    }

    /// The built `meterbridge` executable beside the test bundle (`swift build --build-tests` builds it too).
    public static func builtBinary() throws -> String {
        var candidates: [URL] = []
        let arguments = ProcessInfo.processInfo.arguments
        if let first = arguments.first { candidates.append(URL(fileURLWithPath: first).deletingLastPathComponent()) }
        candidates.append(Bundle.main.bundleURL.deletingLastPathComponent())
        candidates.append(Bundle.main.bundleURL)
        for directory in candidates {
            var url = directory
            // Walk up out of an .xctest bundle to the build products folder.
            for _ in 0..<4 {
                let binary = url.appendingPathComponent("meterbridge").path
                if FileManager.default.isExecutableFile(atPath: binary) { return binary }
                url.deleteLastPathComponent()
            }
        }
        throw ServerProcessError(message: "no built meterbridge binary near \(candidates.map(\.path)); run `swift build` first")
    }

    /// A TCP port on 127.0.0.1 that was free a moment ago.
    public static func freePort() throws -> Int {
        let channel = try ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: "127.0.0.1", port: 0).wait()
        let port = channel.localAddress?.port ?? 0
        try channel.close().wait()
        return port
    }
}

/// A child server that did not start or stop as expected, with its log.
public struct ServerProcessError: Error, CustomStringConvertible {
    public let message: String

    public init(message: String) {
        self.message = message
    }

    public var description: String { message }
}

/// Runs a `meterbridge` command to completion, for tests of the command line.
public enum CommandRun {
    /// The exit status and everything the command printed to standard output and standard error.
    public static func run(_ binary: String, _ arguments: [String], environment: [String: String] = [:]) throws -> (status: Int32, output: String, errors: String) {
        // Files rather than pipes: nothing to drain while the command runs, and no pipe filling up to block it.
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let outputPath = directory.path + "/stdout", errorPath = directory.path + "/stderr"
        let process = try ChildProcess(
            executable: binary, arguments: arguments, environment: ProcessInfo.processInfo.environment.merging(environment) { $1 },
            outputPath: outputPath, errorPath: errorPath
        )
        let status = process.waitUntilExit()
        let printed = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        let complained = (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? ""
        return (status, printed, complained)
    }
}
