/// The listener: its address and, for native HTTPS, a certificate and key.
enum ServerSettings {
    static let listen = Setting<ListenAddress>(
        "listen", environment: "MB_LISTEN", default: ListenAddress(host: "127.0.0.1", port: 8080), values: "host:port",
        summary: "the address to listen on ([::1]:8080 for IPv6)", at: \.listen, parse: address, show: { $0.description }
    )
    static let tlsCertificate = Setting<String?>.optionalText(
        "tls.cert", environment: "MB_TLS_CERT", values: "a PEM file", summary: "certificate chain; HTTPS (TLS 1.2+) when tls.cert and tls.key are both set",
        at: \.tlsCertificatePath
    )
    static let tlsKey = Setting<String?>.optionalText(
        "tls.key", environment: "MB_TLS_KEY", values: "a PEM file", summary: "the certificate's private key", at: \.tlsKeyPath
    )

    static let all: [any ParsedSetting] = [listen, tlsCertificate, tlsKey]

    /// HTTPS needs both files: one without the other is a mistake, not a request for plain HTTP.
    static func checkTLSPair(_ configuration: MeterBridgeConfiguration) throws(ConfigurationError) {
        let both = "set both for HTTPS (\(tlsCertificate.environment ?? ""), \(tlsKey.environment ?? ""))"
        switch (configuration.tlsCertificatePath, configuration.tlsKeyPath) {
        case (_?, nil):
            throw ConfigurationError(key: tlsKey.key, message: "\(tlsCertificate.key) is set but \(tlsKey.key) is not; \(both)")
        case (nil, _?):
            throw ConfigurationError(key: tlsCertificate.key, message: "\(tlsKey.key) is set but \(tlsCertificate.key) is not; \(both)")
        default:
            break
        }
    }

    private static func address(_ input: SettingInput) throws(ConfigurationError) -> ListenAddress {
        let text = try input.text()
        let failure = input.error("expected host:port, e.g. 127.0.0.1:8080 or 0.0.0.0:443, got '\(text)'")
        guard let colon = text.lastIndex(of: ":") else { throw failure }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty, let port = Int(text[text.index(after: colon)...]), (0...65_535).contains(port) else { throw failure }
        return ListenAddress(host: host, port: port)
    }
}
