import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An advisory lock on `<database>.serve.lock` beside a SQLite store, so `replay --rebuild` and `serve` never run on the
/// same file at once.
///
/// `serve` holds a shared `flock` for as long as it runs (several may share it); a rebuild needs it exclusively and
/// refuses at once when it cannot have it. The kernel drops the lock when the process exits, however it exits, so a
/// crash never leaves a stale lock behind (the file itself stays, empty but for the pid of the last holder).
public final class StoreLock: Sendable {
    /// Why the lock could not be taken.
    public struct Busy: Error, Sendable, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    public let path: String
    private let descriptor: Int32

    private init(path: String, descriptor: Int32) {
        self.path = path
        self.descriptor = descriptor
    }

    deinit {
        // Closing the descriptor releases the flock.
        close(descriptor)
    }

    /// The lock file of the SQLite store at `databasePath`.
    public static func lockPath(forDatabase databasePath: String) -> String { databasePath + ".serve.lock" }

    /// Taken by `serve` for as long as it runs; fails when a rebuild holds the store.
    public static func forServing(databasePath: String) throws -> StoreLock {
        try acquire(databasePath: databasePath, operation: LOCK_SH) { holder in
            "meterbridge replay --rebuild is running on \(databasePath)\(holder): wait for it to finish, then start serve again"
        }
    }

    /// Taken by `replay --rebuild`; fails when `serve` (or another rebuild) runs on the store.
    public static func forRebuild(databasePath: String) throws -> StoreLock {
        try acquire(databasePath: databasePath, operation: LOCK_EX) { holder in
            "meterbridge serve is running on \(databasePath)\(holder): a rebuild rewrites every subscription's state and must not race "
                + "the processor. Stop serve (SIGTERM), run the rebuild, start serve again; `replay` without --rebuild may run beside serve"
        }
    }

    private static func acquire(databasePath: String, operation: Int32, busy message: (String) -> String) throws -> StoreLock {
        let path = lockPath(forDatabase: databasePath)
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw Busy(message: "cannot open the lock file \(path): \(String(cString: strerror(errno)))")
        }
        guard flock(descriptor, operation | LOCK_NB) == 0 else {
            let error = errno
            let holder = (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
            close(descriptor)
            guard error == EWOULDBLOCK else {
                throw Busy(message: "cannot lock \(path): \(String(cString: strerror(error)))")
            }
            throw Busy(message: message(holder.map { $0.isEmpty ? "" : " (pid \($0))" } ?? ""))
        }
        // For the operator's eyes only: who holds it (the last holder, when several serve processes share it).
        let pid = "\(getpid())\n"
        if ftruncate(descriptor, 0) == 0 {
            _ = pid.withCString { write(descriptor, $0, strlen($0)) }
        }
        return StoreLock(path: path, descriptor: descriptor)
    }
}
