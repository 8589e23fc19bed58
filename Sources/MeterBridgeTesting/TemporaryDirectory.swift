import Foundation

/// A fresh directory under the system temporary directory, for a test's real SQLite files; `remove()` deletes it.
public struct TemporaryDirectory: Sendable {
    /// Symlinks resolved, so the path matches what the kernel reports for open files.
    public let path: String

    public init(prefix: String = "meterbridge-tests") throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
        path = base.resolvingSymlinksInPath().path
    }

    /// `meterbridge.sqlite` inside the directory.
    public var databasePath: String { path + "/meterbridge.sqlite" }

    public func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}
