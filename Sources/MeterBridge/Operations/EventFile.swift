import BillingCore
import BillingStore

/// Stripe events read from an export for `replay --file`: a single event, a JSON array of events, a Stripe list object
/// (`{"object":"list","data":[…]}`, what `GET /v1/events` and `stripe events list` print) or JSON lines.
///
/// Every event is validated before anything is stored, so a bad file stores nothing. An event keeps the bytes it
/// has in the file when it is a whole document of it (a single event, a line); an element of an array or list is
/// re-serialised (`JSONValue.serialized`). Imported events carry no Stripe signature: their signature column says
/// `imported`.
public struct EventFile: Sendable {
    /// How the file held its events.
    public enum Format: String, Sendable, Codable {
        case event, array, list
        case jsonLines = "json_lines"
    }

    /// The value of the signature column of imported events.
    public static let importedSignature = "imported"

    public var format: Format
    /// In file order.
    public var events: [ReceivedEvent]

    /// Reads and validates `bytes`; `receivedAt` becomes each event's receive time.
    public static func parse(_ bytes: [UInt8], receivedAt: UnixTime) throws(EventFileError) -> EventFile {
        let content = bytes.trimmingJSONWhitespace()
        guard !content.isEmpty else { throw EventFileError(message: "the file is empty") }
        let document: JSONValue
        do throws(JSONParseError) {
            document = try JSONParser.parse(content)
        } catch {
            if let lines = try jsonLines(bytes, receivedAt: receivedAt) { return lines }
            throw documentError(error, in: bytes, offsetOfContent: bytes.count - bytes.drop { $0.isJSONWhitespace }.count)
        }
        switch document {
        case .object(let object) where object["object"]?.stringValue == "list":
            guard let data = object["data"]?.arrayValue else {
                throw EventFileError(message: "the list object has no data array")
            }
            return EventFile(format: .list, events: try elements(data, format: .list, receivedAt: receivedAt))
        case .object:
            do throws(EventDecodingError) {
                let envelope = try StripeEventEnvelope(parsing: content)
                return EventFile(format: .event, events: [ReceivedEvent(importing: envelope, payload: Array(content), receivedAt: receivedAt)])
            } catch {
                throw EventFileError(message: "not a Stripe event: \(error.description)")
            }
        case .array(let array):
            return EventFile(format: .array, events: try elements(array, format: .array, receivedAt: receivedAt))
        default:
            throw EventFileError(message: "expected an event, an array of events, a list object or JSON lines, found a \(document.kindName)")
        }
    }

    private static func elements(_ values: [JSONValue], format: Format, receivedAt: UnixTime) throws(EventFileError) -> [ReceivedEvent] {
        var events: [ReceivedEvent] = []
        events.reserveCapacity(values.count)
        for (index, value) in values.enumerated() {
            let payload = value.serializedBytes
            do throws(EventDecodingError) {
                guard case .object = value else { throw .wrongType(nil, expected: "object", found: value.kindName) }
                let envelope = try StripeEventEnvelope(parsing: payload)
                events.append(ReceivedEvent(importing: envelope, payload: payload, receivedAt: receivedAt))
            } catch {
                throw EventFileError(message: "not a Stripe event: \(error.description)", index: index, inList: format == .list)
            }
        }
        return events
    }

    /// The events of a JSON lines file; nil when the file does not look like one (its first line is not a document).
    private static func jsonLines(_ bytes: [UInt8], receivedAt: UnixTime) throws(EventFileError) -> EventFile? {
        var lines: [(number: Int, bytes: ArraySlice<UInt8>)] = []
        var number = 1
        var start = bytes.startIndex
        for index in bytes.indices where bytes[index] == UInt8(ascii: "\n") {
            lines.append((number, bytes[start..<index]))
            number += 1
            start = index + 1
        }
        lines.append((number, bytes[start...]))
        let nonEmpty = lines.map { ($0.number, $0.bytes.trimmingJSONWhitespace()) }.filter { !$0.1.isEmpty }
        guard nonEmpty.count > 1, let first = nonEmpty.first, (try? JSONParser.parse(first.1)) != nil else { return nil }
        var events: [ReceivedEvent] = []
        events.reserveCapacity(nonEmpty.count)
        for (number, line) in nonEmpty {
            do throws(EventDecodingError) {
                let envelope = try StripeEventEnvelope(parsing: line)
                events.append(ReceivedEvent(importing: envelope, payload: Array(line), receivedAt: receivedAt))
            } catch {
                let detail = error.code == .invalidJSON ? error.description : "not a Stripe event: \(error.description)"
                throw EventFileError(message: detail, line: number)
            }
        }
        return EventFile(format: .jsonLines, events: events)
    }

    /// A syntax error of the whole document, placed by line and column, and by element when inside an array or list.
    private static func documentError(_ error: JSONParseError, in bytes: [UInt8], offsetOfContent: Int) -> EventFileError {
        let offset = min(offsetOfContent + error.offset, bytes.count)
        var line = 1
        var column = 1
        for byte in bytes[..<offset] {
            if byte == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else {
                column += 1
            }
        }
        let location = ElementLocator.locate(offset: offset, in: bytes)
        return EventFileError(
            message: "invalid JSON: \(error) (line \(line), column \(column))", line: location == nil ? line : nil,
            index: location?.index, inList: location?.inList ?? false
        )
    }
}

/// Why an import file was refused, naming the line (JSON lines) or the element (array or list) at fault.
public struct EventFileError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    /// 1-based line of a JSON lines file (or of a syntax error outside any element).
    public var line: Int?
    /// 0-based index of the element in the array, or in the list's `data`.
    public var index: Int?
    /// Whether `index` counts in a list object's `data`.
    public var inList: Bool

    public init(message: String, line: Int? = nil, index: Int? = nil, inList: Bool = false) {
        self.message = message
        self.line = line
        self.index = index
        self.inList = inList
    }

    public var description: String {
        if let index { return "\(inList ? "data[\(index)]" : "index \(index)"): \(message)" }
        if let line { return "line \(line): \(message)" }
        return message
    }
}

/// Finds which element of a top-level array (or of a list object's `data`) a byte offset lies in, without a valid document.
enum ElementLocator {
    private struct Container {
        var isArray: Bool
        var elements = 0
        var key: [UInt8]?
        var expectingKey = true
    }

    static func locate(offset: Int, in bytes: [UInt8]) -> (index: Int, inList: Bool)? {
        var stack: [Container] = []
        var inString = false
        var escaped = false
        var text: [UInt8] = []
        for byte in bytes[..<min(offset, bytes.count)] {
            if inString {
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                    if let last = stack.indices.last, !stack[last].isArray, stack[last].expectingKey { stack[last].key = text }
                } else if stack.count == 1 {
                    text.append(byte)
                }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""):
                inString = true
                text = []
            case UInt8(ascii: "{"):
                stack.append(Container(isArray: false))
            case UInt8(ascii: "["):
                stack.append(Container(isArray: true))
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                _ = stack.popLast()
            case UInt8(ascii: ","):
                guard let last = stack.indices.last else { break }
                if stack[last].isArray { stack[last].elements += 1 } else { stack[last].expectingKey = true }
            case UInt8(ascii: ":"):
                if let last = stack.indices.last, !stack[last].isArray { stack[last].expectingKey = false }
            default:
                break
            }
        }
        guard let top = stack.first else { return nil }
        if top.isArray { return (top.elements, false) }
        if top.key == Array("data".utf8), stack.count >= 2, stack[1].isArray { return (stack[1].elements, true) }
        return nil
    }
}

extension ReceivedEvent {
    /// The inbox row of an imported event: no signature, received now.
    init(importing envelope: StripeEventEnvelope, payload: [UInt8], receivedAt: UnixTime) {
        self.init(
            id: envelope.id, type: envelope.type, apiVersion: envelope.apiVersion, created: envelope.created, livemode: envelope.livemode,
            account: envelope.account, objectType: envelope.dataObjectType ?? envelope.relatedObjectType,
            objectID: envelope.dataObjectID ?? envelope.relatedObjectID, subscriptionID: envelope.subscriptionID,
            customerID: envelope.customerID, payload: payload, signature: EventFile.importedSignature, receivedAt: receivedAt.milliseconds
        )
    }
}

extension UInt8 {
    fileprivate var isJSONWhitespace: Bool { self == 0x20 || self == 0x0A || self == 0x0D || self == 0x09 }
}

extension Collection where Element == UInt8, SubSequence == ArraySlice<UInt8> {
    /// Without the JSON whitespace (space, tab, CR, LF) around it.
    fileprivate func trimmingJSONWhitespace() -> ArraySlice<UInt8> {
        let trimmed = drop { $0.isJSONWhitespace }
        var end = trimmed.endIndex
        while end > trimmed.startIndex, trimmed[trimmed.index(before: end)].isJSONWhitespace { end = trimmed.index(before: end) }
        return trimmed[trimmed.startIndex..<end]
    }
}
