extension Migration {
    /// Version 10: the outbox stores `BillingAction` itself (`OutboxPayload`), with the layout's version in
    /// `payload_version`. Every row is rewritten from the field bag of earlier releases (layout 1) to layout 2, byte for
    /// byte what `OutboxPayload.encode` writes for ids without control characters, so a rebuild still recognises the
    /// actions it decides again.
    static let typedOutbox = Migration(
        version: 10,
        name: "typed_outbox",
        sql: """
            ALTER TABLE actions ADD COLUMN payload_version INTEGER NOT NULL DEFAULT 1;
            UPDATE actions SET payload = CAST(\(LegacyOutboxPayload.rewrite(.sqlite)) AS BLOB), payload_version = 2
            WHERE payload_version = 1;
            """
    )
}

/// The SQL that rewrites an outbox payload of layout 1 (a field bag: `kind`, `itemID`, `periodStart`, `flushKey`,
/// `detail`, …) as layout 2 (`BillingAction`'s Codable object), for both stores' migrations.
///
/// Keys are written in sorted order, as `OutboxPayload.encode` does. Layout 1 lost two values that layout 2 has: a
/// mode switch's product (absent: nil) and a meter error report's `created` (0).
package enum LegacyOutboxPayload {
    /// The SQL dialect of a store.
    package enum Dialect {
        case sqlite, postgres
    }

    /// An SQL expression of the rewritten payload as JSON text, for a row of `actions`.
    package static func rewrite(_ dialect: Dialect) -> String {
        let text = { (field: String) in field.text(dialect) }
        let integer = { (field: String) in field.integer(dialect) }
        func object(_ pairs: [(String, String)]) -> String {
            let function = dialect == .sqlite ? "json_object" : "json_build_object"
            return "\(function)(" + pairs.sorted { $0.0 < $1.0 }.map { "'\($0.0)', \($0.1)" }.joined(separator: ", ") + ")"
        }
        func period(_ type: String, extra: [(String, String)] = []) -> [(String, String)] {
            [("type", "'\(type)'"), ("item", text("itemID")), ("period_start", integer("periodStart")), ("period_end", integer("periodEnd"))] + extra
        }
        // `detail` held "event <id> meter <id|unknown>" and "kept <id> over <id>": the ids are its second and fourth words.
        let word2 = dialect.word(2, of: text("detail")), word4 = dialect.word(4, of: text("detail"))
        let switchMode: [(String, String)] = [
            ("type", "'switch_mode'"), ("item", text("itemID")), ("from", text("fromMode")), ("to", text("toMode")),
            ("effective_at", integer("effectiveAt")),
        ]
        let meterError: [(String, String)] = [("type", "'meter_error_reported'"), ("event", word2), ("created", "0")]
        return """
            CASE kind
                WHEN 'open_period' THEN \(object(period("open_period")))
                WHEN 'rereport' THEN \(object(period("rereport")))
                WHEN 'lock_period' THEN \(object(period("lock_period")))
                WHEN 'flush' THEN \(object(period("flush", extra: [("reason", text("reason")), ("subscription", "subscription_id")])))
                WHEN 'switch_mode' THEN CASE WHEN \(text("replacedItemID")) IS NULL THEN \(object(switchMode))
                    ELSE \(object(switchMode + [("replaced_item", text("replacedItemID"))])) END
                WHEN 'start_shadow_meter' THEN \(object([("type", "'start_shadow_meter'"), ("item", text("itemID")), ("until", integer("until"))]))
                WHEN 'stop_shadow_meter' THEN \(object([("type", "'stop_shadow_meter'"), ("item", text("itemID"))]))
                WHEN 'carry_usage' THEN \(object(period("carry_usage", extra: [
                    ("to_item", text("toItemID")), ("to_period_start", integer("toPeriodStart")), ("to_period_end", integer("toPeriodEnd")),
                ])))
                WHEN 'meter_error_reported' THEN CASE WHEN \(word4) = 'unknown' THEN \(object(meterError))
                    ELSE \(object(meterError + [("meter", word4)])) END
                WHEN 'ambiguous_snapshot_tie' THEN \(object([("type", "'ambiguous_snapshot_tie'"), ("kept_event", word2), ("other_event", word4)]))
            END
            """
    }
}

extension LegacyOutboxPayload.Dialect {
    /// The `index`th space-separated word (from 1) of a text expression.
    fileprivate func word(_ index: Int, of text: String) -> String {
        switch self {
        case .postgres:
            return "split_part(\(text), ' ', \(index))"
        case .sqlite:
            // SQLite has no split function; the details have exactly four words.
            let afterFirst = "substr(\(text), instr(\(text), ' ') + 1)"
            let afterSecond = "substr(\(afterFirst), instr(\(afterFirst), ' ') + 1)"
            let afterThird = "substr(\(afterSecond), instr(\(afterSecond), ' ') + 1)"
            switch index {
            case 2: return "substr(\(afterFirst), 1, instr(\(afterFirst), ' ') - 1)"
            case 4: return afterThird
            default: preconditionFailure("Invalid word index \(index): the details have four words")
            }
        }
    }
}

extension String {
    /// The layout-1 field named `self` of the row's payload, as text.
    fileprivate func text(_ dialect: LegacyOutboxPayload.Dialect) -> String {
        switch dialect {
        case .sqlite: return "json_extract(CAST(payload AS TEXT), '$.\(self)')"
        case .postgres: return "(convert_from(payload, 'UTF8')::json ->> '\(self)')"
        }
    }

    /// The layout-1 field named `self` of the row's payload, as an integer.
    fileprivate func integer(_ dialect: LegacyOutboxPayload.Dialect) -> String {
        switch dialect {
        case .sqlite: return text(dialect)
        case .postgres: return "\(text(dialect))::bigint"
        }
    }
}
