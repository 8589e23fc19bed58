import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Breaks a store's disk from inside the process, so tests can watch it fail without root-proof `chmod` tricks.
///
/// Every descriptor the process holds on the given files is replaced (`dup2`) by a read-only descriptor of the
/// same file: reads keep working, every write fails with EBADF, which SQLite reports as an I/O error, as it would
/// for a disk that went read-only or failed. Unlike `chmod` this works as root; unlike deleting the directory (open
/// files stay writable after unlink) it really makes writes fail.
public enum StorageFaults {
    public static var isSupported: Bool {
        #if os(Linux)
        return FileManager.default.fileExists(atPath: "/proc/self/fd")
        #else
        return false
        #endif
    }

    /// Makes every descriptor open on one of `paths` read-only; returns how many were replaced.
    ///
    /// Only descriptors of the caller's own database files match, and those stay open until that database is
    /// closed, so no other test's descriptor can be hit.
    public static func makeReadOnly(paths: Set<String>) throws -> Int {
        #if os(Linux)
        var replaced = 0
        for entry in try FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") {
            guard let descriptor = Int32(entry),
                let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\(entry)"),
                paths.contains(target)
            else { continue }
            let readOnly = open(target, O_RDONLY | O_CLOEXEC)
            guard readOnly >= 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
            defer { close(readOnly) }
            guard dup2(readOnly, descriptor) >= 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
            replaced += 1
        }
        return replaced
        #else
        return 0
        #endif
    }
}
