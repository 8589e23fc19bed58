import BillingCore
import BillingStore

extension ActionRecord {
    /// The same bytes as `outbox(…).payload` (Foundation's JSONEncoder with sorted keys), written by hand: a rebuild
    /// records about one action per event, and JSONEncoder's ~15 µs a record would cost more than decoding the events.
    /// `ReplayEncodingTests` checks that both encodings agree.
    var fastPayload: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(160)
        out.append(UInt8(ascii: "{"))
        var first = true
        func key(_ name: StaticString) {
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
            out.append(UInt8(ascii: "\""))
            out.append(contentsOf: UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
            out.append(contentsOf: [UInt8(ascii: "\""), UInt8(ascii: ":")])
        }
        func string(_ name: StaticString, _ value: String?) {
            guard let value else { return }
            key(name)
            Self.appendQuoted(value, to: &out)
        }
        func integer(_ name: StaticString, _ value: Int64?) {
            guard let value else { return }
            key(name)
            out.append(contentsOf: String(value).utf8)
        }
        // Sorted keys, in the order JSONEncoder's `.sortedKeys` writes them.
        string("detail", detail)
        integer("effectiveAt", effectiveAt)
        string("flushKey", flushKey)
        string("fromMode", fromMode)
        string("itemID", itemID)
        string("kind", kind)
        integer("periodEnd", periodEnd)
        integer("periodStart", periodStart)
        string("reason", reason)
        string("replacedItemID", replacedItemID)
        string("toItemID", toItemID)
        string("toMode", toMode)
        integer("toPeriodEnd", toPeriodEnd)
        integer("toPeriodStart", toPeriodStart)
        integer("until", until)
        out.append(UInt8(ascii: "}"))
        return out
    }

    /// A JSON string as JSONEncoder writes it by default: `/` escaped, control characters as short or `\u00XX` escapes.
    private static func appendQuoted(_ value: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case UInt8(ascii: "/"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "/")])
            case 0x0A: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0D: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0x08: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "b")])
            case 0x0C: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "f")])
            case 0x00..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                out.append(contentsOf: Array("\\u00".utf8))
                out.append(contentsOf: [hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// The action as a rebuild records it.
    func rebuildAction(subscriptionID: String, eventID: String?) -> RebuildAction {
        RebuildAction(subscriptionID: subscriptionID, eventID: eventID, kind: kind, payload: fastPayload)
    }
}
