extension EnvelopeReader {
    /// A string member, recording null or another type instead of failing at once.
    mutating func readString(depth: Int) throws(JSONParseError) -> EnvelopeSlot<String> {
        let first = try scanner.peek()
        switch first {
        case UInt8(ascii: "\""): return .value(scanner.makeString(try scanner.scanString()))
        case UInt8(ascii: "n"): try scanner.consumeNull(); return .null
        default: try scanner.skipValue(depth: depth); return .wrongType(found: Self.kindName(first))
        }
    }

    mutating func readBool(depth: Int) throws(JSONParseError) -> EnvelopeSlot<Bool> {
        switch try scanner.peek() {
        case UInt8(ascii: "t"): try scanner.consumeTrue(); return .value(true)
        case UInt8(ascii: "f"): try scanner.consumeFalse(); return .value(false)
        case UInt8(ascii: "n"): try scanner.consumeNull(); return .null
        case let first: try scanner.skipValue(depth: depth); return .wrongType(found: Self.kindName(first))
        }
    }

    /// `created`: integral seconds (an integral double counts, as in `JSONValue.int64Value`) or a date-time string.
    mutating func readCreated(depth: Int) throws(JSONParseError) -> EnvelopeSlot<EventCreated> {
        let first = try scanner.peek()
        switch first {
        case UInt8(ascii: "\""):
            return .value(.text(scanner.makeString(try scanner.scanString())))
        case UInt8(ascii: "n"):
            try scanner.consumeNull()
            return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            let span = try scanner.scanNumber()
            if span.isInteger, let seconds = scanner.makeInt64(span) { return .value(.seconds(seconds)) }
            guard let seconds = try scanner.makeNumber(span).int64Value else { return .wrongType(found: "number") }
            return .value(.seconds(seconds))
        default:
            try scanner.skipValue(depth: depth)
            return .wrongType(found: Self.kindName(first))
        }
    }

    /// A string, or nil for any other value (routing fields never fail an event).
    mutating func readLenientString(depth: Int) throws(JSONParseError) -> String? {
        guard case .value(let string) = try readString(depth: depth) else { return nil }
        return string
    }

    /// An expandable reference: the id string, or the `id` of the expanded object; else nil.
    mutating func readLenientID(depth: Int) throws(JSONParseError) -> String? {
        switch try scanner.peek() {
        case UInt8(ascii: "\""): return scanner.makeString(try scanner.scanString())
        case UInt8(ascii: "{"): return try readNestedID(path: [], depth: depth)
        default: try scanner.skipValue(depth: depth); return nil
        }
    }

    /// Follows `path` through nested objects, then reads the reference there (the last
    /// occurrence of each key wins). An empty path reads the object's own `id`.
    mutating func readNestedID(path: ArraySlice<StaticString>, depth: Int) throws(JSONParseError) -> String? {
        guard try scanner.peek() == UInt8(ascii: "{") else {
            try scanner.skipValue(depth: depth)
            return nil
        }
        guard try scanner.beginObject(depth: depth &+ 1) else { return nil }
        var result: String?
        repeat {
            let key = try scanner.readKey()
            if let next = path.first, scanner.string(key, equals: next) {
                result = path.count == 1
                    ? try readLenientID(depth: depth &+ 1)
                    : try readNestedID(path: path.dropFirst(), depth: depth &+ 1)
            } else if path.isEmpty, scanner.string(key, equals: "id") {
                result = try readLenientString(depth: depth &+ 1)
            } else {
                try scanner.skipValue(depth: depth &+ 1)
            }
        } while try scanner.nextMember()
        return result
    }

    /// The JSON kind a value starting with `byte` has, for `.wrongType` messages.
    static func kindName(_ byte: UInt8) -> String {
        switch byte {
        case UInt8(ascii: "\""): return "string"
        case UInt8(ascii: "{"): return "object"
        case UInt8(ascii: "["): return "array"
        case UInt8(ascii: "t"), UInt8(ascii: "f"): return "boolean"
        case UInt8(ascii: "n"): return "null"
        default: return "number"
        }
    }

    /// Turns the slots into an envelope, checking fields in the same order as `StripeEvent`.
    func makeEnvelope() throws(EventDecodingError) -> StripeEventEnvelope {
        let id = try id.required("id", expected: "string", eventID: nil)
        let type = try type.required("type", expected: "string", eventID: id)
        let object = try object.optional("object", expected: "string", eventID: id) ?? "event"
        let created = try created.required("created", expected: "integer", eventID: id).unixSeconds(eventID: id)
        let apiVersion = try apiVersion.optional("api_version", expected: "string", eventID: id)
        let livemode = try livemode.optional("livemode", expected: "boolean", eventID: id) ?? false
        var account = try account.optional("account", expected: "string", eventID: id)
        let isThin = object == EventRouting.thinObject
        if isThin, account == nil {
            account = try context.optional("context", expected: "string", eventID: id)
        }
        let routingType = isThin ? relatedType : data.objectType
        let routingID = isThin ? relatedID : data.objectID
        return StripeEventEnvelope(
            id: id,
            object: object,
            type: type,
            apiVersion: apiVersion,
            created: created,
            livemode: livemode,
            account: account,
            dataObjectType: data.objectType,
            dataObjectID: data.objectID,
            subscriptionID: EventRouting.subscriptionID(
                objectType: routingType,
                objectID: routingID,
                subscriptionField: isThin ? nil : data.subscription,
                parentSubscription: isThin ? nil : data.parentSubscription,
                releasedSubscription: isThin ? nil : data.releasedSubscription
            ),
            customerID: EventRouting.customerID(objectType: routingType, objectID: routingID, customerField: isThin ? nil : data.customer),
            relatedObjectType: relatedType,
            relatedObjectID: relatedID
        )
    }
}
