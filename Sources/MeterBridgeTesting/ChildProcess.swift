import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A child process started with `posix_spawn`, for tests that run the real binary or a tool.
///
/// Not Foundation's `Process`: on Linux its `run()` scans /proc/self/fd and copies each entry's whole 256-byte
/// `d_name`, which reads past glibc's buffer and crashes now and then in a process with many open descriptors, as a
/// test run is (swiftlang/swift-corelibs-foundation#5472, fixed after Swift 6.3.1; seen here as a SIGSEGV in
/// `Process.run()` while `ReportingCrashTests` started a server).
public final class ChildProcess: Sendable {
    /// The child's process id.
    public let pid: pid_t
    /// The wait status once the child has been reaped.
    private let reaped = Mutex<Int32?>(nil)

    /// Starts `executable` with `arguments` and exactly `environment`; standard output and error go to `outputPath`
    /// and `errorPath` (appended, created when missing; /dev/null when nil). The child inherits no other descriptor.
    public init(executable: String, arguments: [String], environment: [String: String], outputPath: String?, errorPath: String?) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for (path, descriptor) in [(outputPath, STDOUT_FILENO), (errorPath, STDERR_FILENO)] {
            let flags = path == nil ? O_WRONLY : O_WRONLY | O_CREAT | O_APPEND
            posix_spawn_file_actions_addopen(&actions, descriptor, path ?? "/dev/null", flags, 0o644)
        }
        posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0)
        if let closeFrom = Self.closeFrom {
            _ = closeFrom(&actions, 3)
        }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, executable, &actions, nil, argv, envp)
        guard rc == 0 else {
            throw ServerProcessError(message: "could not start \(executable): \(String(cString: strerror(rc)))")
        }
        self.pid = pid
    }

    /// Whether the child is still running (it is reaped, without blocking, once it has exited).
    public var isRunning: Bool {
        reaped.withLock { status in
            guard status == nil else { return false }
            var waited: Int32 = 0
            if waitpid(pid, &waited, WNOHANG) == pid {
                status = waited
                return false
            }
            return true
        }
    }

    /// Blocks until the child exits and returns `terminationStatus`.
    @discardableResult
    public func waitUntilExit() -> Int32 {
        while isRunning {
            var waited: Int32 = 0
            let rc = waitpid(pid, &waited, 0)
            if rc == pid {
                reaped.withLock { $0 = waited }
            } else if rc < 0 && errno != EINTR {
                break
            }
        }
        return terminationStatus
    }

    /// The exit code, or the number of the signal that ended the child, as Foundation's `Process` reports it; -1
    /// while it runs.
    public var terminationStatus: Int32 {
        guard let status = reaped.withLock({ $0 }) else { return -1 }
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : signal
    }

    /// Sends `signal` to the child.
    public func send(_ signal: Int32) {
        guard isRunning else { return }
        Glibc.kill(pid, signal)
    }

    /// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34 and later), which Swift's Glibc module does not
    /// declare; without it the child also inherits the parent's descriptors that lack close-on-exec.
    private static let closeFrom: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32)? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32).self)
    }()
}
