/// Where the store lives.
enum StoreSettings {
    static let databaseURL = Setting<DatabaseLocation>(
        "database_url", environment: "MB_DATABASE_URL", default: .sqlite(path: "meterbridge.sqlite"),
        values: "sqlite:PATH or postgres://…",
        summary: "the store: sqlite:PATH, or postgres://user:password@host:port/database[?sslmode=disable|prefer|require]",
        at: \.database, parse: location, show: { $0.description }
    )

    static let all: [any ParsedSetting] = [databaseURL]

    // The error never quotes the URL: a PostgreSQL URL carries a password.
    private static func location(_ input: SettingInput) throws(ConfigurationError) -> DatabaseLocation {
        let url = try input.text()
        if url.hasPrefix("sqlite:") {
            var path = String(url.dropFirst("sqlite:".count))
            // Accept the URL form `sqlite:///abs/path` as well as `sqlite:relative/path`.
            if path.hasPrefix("//") { path = String(path.dropFirst(2)) }
            guard !path.isEmpty else { throw input.error("sqlite: needs a file path, e.g. sqlite:meterbridge.sqlite") }
            return .sqlite(path: path)
        }
        if url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") { return .postgres(url: url) }
        throw input.error("expected sqlite:PATH or postgres://user:pass@host:port/db")
    }
}
