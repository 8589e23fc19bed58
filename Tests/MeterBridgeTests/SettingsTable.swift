import Foundation
import MeterBridge

/// A Markdown table of settings, read from a document, compared with the declared `MeterBridgeSettings`.
struct SettingsTable {
    /// One row: the cells by column title, backticks and escapes removed, `—` read as empty.
    typealias Row = [String: String]

    let document: String
    let rows: [Row]

    /// The first table after the heading `heading` in `text`.
    init(document: String, text: String, heading: String) {
        self.document = document
        let lines = text.components(separatedBy: "\n")
        guard let start = lines.firstIndex(of: heading) else {
            rows = []
            return
        }
        let table = lines[(start + 1)...].drop { !$0.hasPrefix("|") }.prefix { $0.hasPrefix("|") }
        guard let header = table.first else {
            rows = []
            return
        }
        let titles = Self.cells(header)
        rows = table.dropFirst(2).map { line in
            Dictionary(zip(titles, Self.cells(line)), uniquingKeysWith: { first, _ in first })
        }
    }

    /// How the table disagrees with the declared settings, one line per difference; `columns` maps a column title to
    /// the declared field it must show.
    func differences(columns: [String: @Sendable (any ConfigurationSetting) -> String]) -> [String] {
        var problems: [String] = []
        if rows.isEmpty { problems.append("\(document): no settings table found") }
        var seen = Set<String>()
        for row in rows {
            let key = row["Config key"] ?? ""
            guard let setting = MeterBridgeSettings.all.first(where: { $0.key == key }) else {
                problems.append("\(document): row '\(key)' is not a declared setting")
                continue
            }
            if !seen.insert(key).inserted { problems.append("\(document): \(key) has two rows") }
            for (column, field) in columns.sorted(by: { $0.key < $1.key }) where (row[column] ?? "") != field(setting) {
                problems.append("\(document): \(key): \(column) says '\(row[column] ?? "")', the declared setting says '\(field(setting))'")
            }
        }
        for setting in MeterBridgeSettings.all where !seen.contains(setting.key) {
            problems.append("\(document): \(setting.key) is declared but has no row")
        }
        return problems
    }

    private static func cells(_ line: String) -> [String] {
        // `\|` is a pipe inside a cell, not a column break.
        let placeholder = "\u{0}"
        var parts = line.replacingOccurrences(of: "\\|", with: placeholder).components(separatedBy: "|")
        parts = Array(parts.dropFirst().dropLast())
        return parts.map { cell in
            let text = cell.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: placeholder, with: "|")
            let plain = text.replacingOccurrences(of: "`", with: "")
            return plain == "—" ? "" : plain
        }
    }
}

extension SettingsTable {
    /// The columns every settings table shows: key (the row's name), environment variable and default.
    static let basicColumns: [String: @Sendable (any ConfigurationSetting) -> String] = [
        "Environment": { $0.environment ?? "" },
        "Default": { $0.defaultText ?? "" },
    ]

    /// The reference table also shows the values each setting takes and what it does.
    static let referenceColumns: [String: @Sendable (any ConfigurationSetting) -> String] = basicColumns.merging([
        "Values": { $0.values },
        "Meaning": { $0.summary },
    ]) { first, _ in first }

    /// The repository's root, found from this file's path so the test runs from any directory.
    static func repositoryFile(_ path: String, testFile: String = #filePath) throws -> String {
        let root = URL(fileURLWithPath: testFile).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return try String(contentsOf: root.appendingPathComponent(path), encoding: .utf8)
    }
}
