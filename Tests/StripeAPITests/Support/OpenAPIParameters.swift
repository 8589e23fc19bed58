import BillingCore
import Foundation

/// What a Stripe endpoint accepts for one parameter, as Stripe's OpenAPI description states it (a small subset of
/// JSON Schema: the types, enums, nested objects and arrays form parameters use).
indirect enum ParameterSchema: Sendable {
    case string(enumValues: [String]?)
    case integer
    case boolean
    /// A hash (`cancel[identifier]`); `properties` nil for a free-form one (`metadata`, a meter event's `payload`).
    case object(properties: [String: ParameterSchema]?)
    /// `expand[]=…` or `expand[0]=…`.
    case array(ParameterSchema)
    case anyOf([ParameterSchema])

    static let anyString = ParameterSchema.string(enumValues: nil)

    /// Reads a JSON Schema object of the description.
    init(json: JSONValue) {
        if let choices = json["anyOf"]?.arrayValue {
            self = .anyOf(choices.map(ParameterSchema.init(json:)))
            return
        }
        switch json["type"]?.stringValue {
        case "integer": self = .integer
        case "boolean": self = .boolean
        case "array": self = .array(json["items"].map(ParameterSchema.init(json:)) ?? .anyString)
        case "object":
            guard case .object(let members)? = json["properties"] else {
                self = .object(properties: nil)
                return
            }
            self = .object(properties: members.mapValues(ParameterSchema.init(json:)))
        default:
            self = .string(enumValues: json["enum"]?.arrayValue?.compactMap(\.stringValue))
        }
    }

    /// Why `value`, sent under the bracket `keys` below this parameter (`[]` for `quantity`, `["identifier"]` for
    /// `cancel[identifier]`), is not what the description allows; nil when it is.
    func violation(keys: ArraySlice<String>, value: String) -> String? {
        switch self {
        case .anyOf(let choices):
            let reasons = choices.map { $0.violation(keys: keys, value: value) }
            return reasons.contains { $0 == nil } ? nil : reasons.compactMap { $0 }.joined(separator: "; or ")
        case .object(let properties):
            guard let key = keys.first else { return "a hash sent as a plain value" }
            guard let properties else { return nil }
            guard let schema = properties[key] else { return "unknown key [\(key)] (known: \(properties.keys.sorted().joined(separator: ", ")))" }
            return schema.violation(keys: keys.dropFirst(), value: value)
        case .array(let element):
            guard let key = keys.first, key.isEmpty || Int(key) != nil else { return "an array sent without [] or [index]" }
            return element.violation(keys: keys.dropFirst(), value: value)
        case .string(let enumValues):
            guard keys.isEmpty else { return "a string sent as a hash" }
            if let enumValues, !enumValues.contains(value) { return "'\(value)' is not one of \(enumValues.joined(separator: ", "))" }
            return nil
        case .integer:
            guard keys.isEmpty else { return "an integer sent as a hash" }
            return Int64(value) == nil ? "'\(value)' is not an integer" : nil
        case .boolean:
            guard keys.isEmpty else { return "a boolean sent as a hash" }
            return value == "true" || value == "false" ? nil : "'\(value)' is not a boolean"
        }
    }
}

/// The parameters of each operation (method and path template) of a Stripe OpenAPI description: the query parameters
/// of a GET, the form body's properties of a POST.
struct OpenAPIParameters: Sendable {
    /// `"POST /v1/subscription_items/{subscription_item}/usage_records"` → parameter name → schema.
    var operations: [String: [String: ParameterSchema]]
    /// `info.version` of the description.
    var version: String

    /// Reads `Tests/StripeAPITests/Resources/<name>` (found from this file's own path: the tests run from the checkout).
    static func load(_ name: String) throws -> OpenAPIParameters {
        let support = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        let url = support.deletingLastPathComponent().appendingPathComponent("Resources").appendingPathComponent(name)
        let document = try JSONParser.parse([UInt8](try Data(contentsOf: url)))
        var operations: [String: [String: ParameterSchema]] = [:]
        guard case .object(let paths)? = document["paths"] else { return OpenAPIParameters(operations: [:], version: "") }
        for (path, item) in paths {
            guard case .object(let methods) = item else { continue }
            for (method, operation) in methods {
                var parameters: [String: ParameterSchema] = [:]
                for parameter in operation["parameters"]?.arrayValue ?? [] where parameter["in"]?.stringValue == "query" {
                    guard let name = parameter["name"]?.stringValue else { continue }
                    parameters[name] = parameter["schema"].map(ParameterSchema.init(json:)) ?? .anyString
                }
                let form = operation["requestBody"]?["content"]?["application/x-www-form-urlencoded"]?["schema"]?["properties"]
                if case .object(let properties)? = form {
                    for (name, schema) in properties { parameters[name] = ParameterSchema(json: schema) }
                }
                operations["\(method.uppercased()) \(path)"] = parameters
            }
        }
        return OpenAPIParameters(operations: operations, version: document["info"]?["version"]?.stringValue ?? "")
    }

    /// The operation key whose template matches `path` (`{…}` matches one non-empty segment).
    func operation(method: String, path: String) -> String? {
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        return operations.keys.first { key in
            let parts = key.split(separator: " ", maxSplits: 1)
            guard parts.count == 2, parts[0] == method else { return false }
            let template = parts[1].split(separator: "/", omittingEmptySubsequences: false)
            guard template.count == segments.count else { return false }
            return zip(template, segments).allSatisfy { pattern, segment in
                pattern.hasPrefix("{") ? !segment.isEmpty : pattern == segment
            }
        }
    }

    /// Why the form parameter `name=value` is not accepted by `operation`; nil when it is.
    func violation(operation: String, name: String, value: String) -> String? {
        let (base, keys) = Self.split(name)
        guard let schema = operations[operation]?[base] else {
            let known = operations[operation]?.keys.sorted().joined(separator: ", ") ?? "-"
            return "\(operation): unknown parameter '\(name)' (the description has: \(known))"
        }
        return schema.violation(keys: keys[...], value: value).map { "\(operation): \(name): \($0)" }
    }

    /// `cancel[identifier]` → (`cancel`, [`identifier`]); `expand[]` → (`expand`, [""]).
    static func split(_ name: String) -> (base: String, keys: [String]) {
        guard let open = name.firstIndex(of: "[") else { return (name, []) }
        var keys: [String] = []
        var rest = name[open...]
        while rest.first == "[", let close = rest.firstIndex(of: "]") {
            keys.append(String(rest[rest.index(after: rest.startIndex)..<close]))
            rest = rest[rest.index(after: close)...]
        }
        return (String(name[..<open]), keys)
    }
}
