/// Reads one endpoint's parameters the way Stripe validates them: unknown names first, then
/// missing, empty and mistyped values, each answered with Stripe's error for it.
struct ParameterReader {
    /// The shape of a top-level parameter.
    enum Shape {
        /// A single value: `quantity=3`.
        case scalar
        /// A hash: `payload[key]=v`; `keys` lists the allowed sub-keys, nil for free-form hashes.
        case hash(keys: Set<String>?)
        /// A list: `expand[]=a` or `expand[0]=a`.
        case list
    }

    private let parameters: FormParameters

    /// Checks every sent name against `shapes`. `expand` is accepted everywhere, as on every Stripe endpoint.
    init(_ parameters: FormParameters, shapes: [String: Shape]) throws(StripeError) {
        var shapes = shapes
        shapes["expand"] = .list
        for (name, _) in parameters.pairs {
            let (base, subkey) = Self.split(name)
            // Stripe: "Received unknown parameter: foo" (code parameter_unknown), naming the parameter as sent.
            guard let shape = shapes[base] else { throw .parameterUnknown(name) }
            switch (shape, subkey) {
            case (.scalar, nil), (.list, _):
                continue
            case (.scalar, .some):
                throw .parameterUnknown(name)
            case (.hash, nil):
                throw .invalidObject(base)
            case (.hash(let keys), .some(let key)):
                if let keys, !keys.contains(key) { throw .parameterUnknown(name) }
            }
        }
        self.parameters = parameters
    }

    /// `payload[value]` → (`payload`, `value`); `quantity` → (`quantity`, nil).
    static func split(_ name: String) -> (base: String, subkey: String?) {
        guard let open = name.firstIndex(of: "["), name.hasSuffix("]") else { return (name, nil) }
        let inner = name[name.index(after: open)..<name.index(before: name.endIndex)]
        return (String(name[..<open]), String(inner))
    }

    /// A string parameter; empty strings are refused (Stripe reads them as "unset", which creates cannot do).
    func string(_ name: String) throws(StripeError) -> String? {
        guard let value = parameters[name] else { return nil }
        guard !value.isEmpty else { throw .parameterEmpty(name) }
        return value
    }

    func requiredString(_ name: String) throws(StripeError) -> String {
        guard let value = try string(name) else { throw .parameterMissing(name) }
        return value
    }

    /// An integer parameter: decimal digits with an optional sign, as Stripe's `Invalid integer` check accepts.
    func integer(_ name: String) throws(StripeError) -> Int64? {
        guard let value = try string(name) else { return nil }
        guard let number = Self.parseInteger(value) else { throw .invalidInteger(name, value) }
        return number
    }

    func requiredInteger(_ name: String) throws(StripeError) -> Int64 {
        guard let value = try integer(name) else { throw .parameterMissing(name) }
        return value
    }

    /// The members of a hash parameter (`payload[k]=v` → `[k: v]`), nil when none was sent.
    func hash(_ name: String) -> [(key: String, value: String)]? {
        let members = parameters.pairs.compactMap { pair -> (key: String, value: String)? in
            let (base, subkey) = Self.split(pair.name)
            guard base == name, let subkey else { return nil }
            return (subkey, pair.value)
        }
        return members.isEmpty ? nil : members
    }

    static func parseInteger(_ text: String) -> Int64? {
        let digits = text.first == "-" || text.first == "+" ? text.dropFirst() : Substring(text)
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return Int64(text)
    }
}
