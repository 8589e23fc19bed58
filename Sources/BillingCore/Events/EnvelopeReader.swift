/// The single-pass reader behind `StripeEventEnvelope`: it walks the top level, `data.object`
/// and the few nested objects routing needs, and only validates (skips) everything else.
///
/// Depths follow `JSONParser` exactly (the top-level object is depth 1), so both accept and
/// reject the same documents.
struct EnvelopeReader {
    var scanner: JSONScanner

    var id = EnvelopeSlot<String>.absent
    var object = EnvelopeSlot<String>.absent
    var type = EnvelopeSlot<String>.absent
    var apiVersion = EnvelopeSlot<String>.absent
    var created = EnvelopeSlot<EventCreated>.absent
    var livemode = EnvelopeSlot<Bool>.absent
    var account = EnvelopeSlot<String>.absent
    var context = EnvelopeSlot<String>.absent
    var data = DataObjectKeys()
    var relatedType: String?
    var relatedID: String?

    /// What `data.object` says about routing; each member is read leniently.
    struct DataObjectKeys {
        var objectType: String?
        var objectID: String?
        var customer: String?
        var subscription: String?
        var parentSubscription: String?
        var releasedSubscription: String?
    }

    static func read(_ bytes: UnsafeRawBufferPointer) throws(EventDecodingError) -> StripeEventEnvelope {
        guard !bytes.isEmpty else { throw .invalidJSON(JSONParseError(.unexpectedEndOfInput, at: 0)) }
        var reader = EnvelopeReader(scanner: JSONScanner(nonEmpty: bytes))
        let foreignRoot: String?
        do throws(JSONParseError) {
            foreignRoot = try reader.readRoot()
            try reader.scanner.expectEndOfInput()
        } catch {
            throw .invalidJSON(error)
        }
        if let foreignRoot { throw .wrongType(nil, expected: "object", found: foreignRoot) }
        return try reader.makeEnvelope()
    }

    /// Reads the document; returns the kind of the root value when it is not an object.
    private mutating func readRoot() throws(JSONParseError) -> String? {
        scanner.skipWhitespace()
        let first = try scanner.peek()
        guard first == UInt8(ascii: "{") else {
            try scanner.skipValue(depth: 0)
            return Self.kindName(first)
        }
        guard try scanner.beginObject(depth: 1) else { return nil }
        repeat {
            let key = try scanner.readKey()
            if scanner.string(key, equals: "id") {
                id = try readString(depth: 1)
            } else if scanner.string(key, equals: "type") {
                type = try readString(depth: 1)
            } else if scanner.string(key, equals: "object") {
                object = try readString(depth: 1)
            } else if scanner.string(key, equals: "created") {
                created = try readCreated(depth: 1)
            } else if scanner.string(key, equals: "data") {
                try readData()
            } else if scanner.string(key, equals: "api_version") {
                apiVersion = try readString(depth: 1)
            } else if scanner.string(key, equals: "livemode") {
                livemode = try readBool(depth: 1)
            } else if scanner.string(key, equals: "account") {
                account = try readString(depth: 1)
            } else if scanner.string(key, equals: "context") {
                context = try readString(depth: 1)
            } else if scanner.string(key, equals: "related_object") {
                try readRelatedObject()
            } else {
                try scanner.skipValue(depth: 1)
            }
        } while try scanner.nextMember()
        return nil
    }

    /// `data` (depth 2): only `data.object` matters; `previous_attributes` is skipped.
    private mutating func readData() throws(JSONParseError) {
        data = DataObjectKeys()
        guard try scanner.peek() == UInt8(ascii: "{") else { return try scanner.skipValue(depth: 1) }
        guard try scanner.beginObject(depth: 2) else { return }
        repeat {
            let key = try scanner.readKey()
            if scanner.string(key, equals: "object") {
                try readDataObject()
            } else {
                try scanner.skipValue(depth: 2)
            }
        } while try scanner.nextMember()
    }

    /// `data.object` (depth 3): the snapshot's type, id, customer and subscription references.
    private mutating func readDataObject() throws(JSONParseError) {
        data = DataObjectKeys()
        guard try scanner.peek() == UInt8(ascii: "{") else { return try scanner.skipValue(depth: 2) }
        guard try scanner.beginObject(depth: 3) else { return }
        repeat {
            let key = try scanner.readKey()
            if scanner.string(key, equals: "object") {
                data.objectType = try readLenientString(depth: 3)
            } else if scanner.string(key, equals: "id") {
                data.objectID = try readLenientString(depth: 3)
            } else if scanner.string(key, equals: "customer") {
                data.customer = try readLenientID(depth: 3)
            } else if scanner.string(key, equals: "subscription") {
                data.subscription = try readLenientID(depth: 3)
            } else if scanner.string(key, equals: "released_subscription") {
                data.releasedSubscription = try readLenientID(depth: 3)
            } else if scanner.string(key, equals: "parent") {
                // basil: data.object.parent.subscription_details.subscription
                data.parentSubscription = try readNestedID(path: ["subscription_details", "subscription"], depth: 3)
            } else {
                try scanner.skipValue(depth: 3)
            }
        } while try scanner.nextMember()
    }

    /// Thin events: `related_object {id, type, url}` (depth 2).
    private mutating func readRelatedObject() throws(JSONParseError) {
        relatedType = nil
        relatedID = nil
        guard try scanner.peek() == UInt8(ascii: "{") else { return try scanner.skipValue(depth: 1) }
        guard try scanner.beginObject(depth: 2) else { return }
        repeat {
            let key = try scanner.readKey()
            if scanner.string(key, equals: "id") {
                relatedID = try readLenientString(depth: 2)
            } else if scanner.string(key, equals: "type") {
                relatedType = try readLenientString(depth: 2)
            } else {
                try scanner.skipValue(depth: 2)
            }
        } while try scanner.nextMember()
    }
}
