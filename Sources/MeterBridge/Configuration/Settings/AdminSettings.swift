/// The admin API's bearer token.
enum AdminSettings {
    static let token = Setting<String?>.optionalText(
        "admin_token", environment: "MB_ADMIN_TOKEN", values: "text", summary: "bearer token for /v1/*; the admin API is off when unset",
        secret: true, at: \.adminToken
    )

    static let all: [any ParsedSetting] = [token]
}
