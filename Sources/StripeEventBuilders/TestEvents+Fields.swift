import BillingCore

extension TestEvents {
    /// `document` (an event envelope) with `data.object[key]` set to `value`: fields few tests need, such as an invoice's
    /// `automatically_finalizes_at`, without widening every builder's signature.
    public static func setting(_ key: String, to value: JSONValue, inObjectOf document: JSONValue) -> JSONValue {
        guard case .object(var envelope) = document, case .object(var data)? = envelope["data"], case .object(var object)? = data["object"]
        else { return document }
        object[key] = value
        data["object"] = .object(object)
        envelope["data"] = .object(data)
        return .object(envelope)
    }
}
