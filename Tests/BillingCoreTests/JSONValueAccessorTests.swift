import BillingCore
import Testing

/// The convenience accessors the event views are built on.
struct JSONValueAccessorTests {
    let document: JSONValue = .object([
        "id": .string("in_1"),
        "created": .int(1_758_919_058),
        "paid": .bool(true),
        "lines": .array([.string("il_1")]),
        "metadata": .object(["k": .string("v")]),
        "nothing": .null,
        "scientific": .double(1.7e9),
        "fraction": .double(1.5),
        "huge": .double(1e300),
    ])

    @Test func subscriptsReachMembersAndElements() {
        #expect(document["id"] == .string("in_1"))
        #expect(document["absent"] == nil)
        #expect(document["lines"]?[0] == .string("il_1"))
        #expect(document["lines"]?[1] == nil)
        #expect(document["metadata"]?["k"]?.stringValue == "v")
        // Subscripting a non-container is nil, not a crash.
        #expect(document["id"]?["x"] == nil)
        #expect(document["id"]?[0] == nil)
    }

    @Test func typedAccessorsMatchOnlyTheirKind() {
        #expect(document["id"]?.stringValue == "in_1")
        #expect(document["created"]?.stringValue == nil)
        #expect(document["paid"]?.boolValue == true)
        #expect(document["id"]?.boolValue == nil)
        #expect(document["lines"]?.arrayValue == [.string("il_1")])
        #expect(document["metadata"]?.objectValue == ["k": .string("v")])
        #expect(document["lines"]?.objectValue == nil)
        #expect(document["nothing"]?.isNull == true)
        #expect(document["id"]?.isNull == false)
    }

    @Test func int64ValueAcceptsIntegralDoublesOnly() {
        #expect(document["created"]?.int64Value == 1_758_919_058)
        #expect(document["scientific"]?.int64Value == 1_700_000_000)
        #expect(document["fraction"]?.int64Value == nil)
        #expect(document["huge"]?.int64Value == nil)
        #expect(document["id"]?.int64Value == nil)
        #expect(document["fraction"]?.doubleValue == 1.5)
        #expect(document["created"]?.doubleValue == 1_758_919_058)
    }

    @Test func kindNamesForMessages() {
        #expect(JSONValue.null.kindName == "null")
        #expect(JSONValue.int(1).kindName == "number")
        #expect(JSONValue.double(1).kindName == "number")
        #expect(JSONValue.array([]).kindName == "array")
        #expect(document.kindName == "object")
    }
}
