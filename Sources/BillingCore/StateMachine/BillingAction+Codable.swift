/// The outbox stores each action as one flat JSON object: `type` names the case (it is also the row's `kind`
/// column), the other fields are the case's values in snake case. Flat, so an operator reads a row with `sqlite3`
/// and a migration can rewrite rows with SQL's JSON functions.
extension BillingAction: Codable {
    /// The action's `type` in the outbox, e.g. `flush` or `switch_mode`.
    public var kind: String {
        switch self {
        case .openPeriod: return "open_period"
        case .scheduleTimer: return "schedule_timer"
        case .cancelTimer: return "cancel_timer"
        case .flush: return "flush"
        case .switchMode: return "switch_mode"
        case .rereport: return "rereport"
        case .startShadowMeter: return "start_shadow_meter"
        case .stopShadowMeter: return "stop_shadow_meter"
        case .lockPeriod: return "lock_period"
        case .carryUsage: return "carry_usage"
        case .meterErrorReported: return "meter_error_reported"
        case .ambiguousSnapshotTie: return "ambiguous_snapshot_tie"
        }
    }

    private enum CodingKeys: String, CodingKey {
        case type, subscription, item, reason, product, from, to, until, event, created, meter, timer, boundary
        case usageFrom = "usage_from", switchedAt = "switched_at", billedFrom = "billed_from"
        case periodStart = "period_start", periodEnd = "period_end", effectiveAt = "effective_at", replacedItem = "replaced_item"
        case toItem = "to_item", toPeriodStart = "to_period_start", toPeriodEnd = "to_period_end"
        case keptEvent = "kept_event", otherEvent = "other_event", fireAt = "fire_at"
    }

    public func encode(to encoder: any Encoder) throws {
        var out = encoder.container(keyedBy: CodingKeys.self)
        try out.encode(kind, forKey: .type)
        func period(_ value: ItemPeriod, item: CodingKeys = .item, start: CodingKeys = .periodStart, end: CodingKeys = .periodEnd) throws {
            try out.encode(value.itemID, forKey: item)
            try out.encode(value.period.start, forKey: start)
            try out.encode(value.period.end, forKey: end)
        }
        func timer(_ id: BillingTimerID) throws {
            try out.encode(id.subscriptionID, forKey: .subscription)
            try out.encode(id.kind, forKey: .timer)
            try out.encode(id.boundary, forKey: .boundary)
        }
        switch self {
        case .openPeriod(let value), .lockPeriod(let value):
            try period(value)
        case .rereport(let rereport):
            try period(rereport.itemPeriod)
            try out.encode(rereport.usageFrom, forKey: .usageFrom)
            try out.encode(rereport.switchedAt, forKey: .switchedAt)
            try out.encode(rereport.billedFrom, forKey: .billedFrom)
            try out.encodeIfPresent(rereport.replacedItemID, forKey: .replacedItem)
        case .scheduleTimer(let id, let fireAt):
            try timer(id)
            try out.encode(fireAt, forKey: .fireAt)
        case .cancelTimer(let id):
            try timer(id)
        case .flush(let flush):
            try out.encode(flush.key.subscriptionID, forKey: .subscription)
            try period(ItemPeriod(itemID: flush.itemID, period: flush.period))
            // The key's period start is the period's (the machine keys every flush by the period it reports).
            try out.encode(flush.reason, forKey: .reason)
        case .switchMode(let change):
            try out.encode(change.itemID, forKey: .item)
            try out.encodeIfPresent(change.productID, forKey: .product)
            try out.encode(change.from, forKey: .from)
            try out.encode(change.to, forKey: .to)
            try out.encode(change.effectiveAt, forKey: .effectiveAt)
            try out.encodeIfPresent(change.replacedItemID, forKey: .replacedItem)
        case .startShadowMeter(let itemID, let until):
            try out.encode(itemID, forKey: .item)
            try out.encode(until, forKey: .until)
        case .stopShadowMeter(let itemID):
            try out.encode(itemID, forKey: .item)
        case .carryUsage(let carry):
            try period(carry.from)
            try period(carry.to, item: .toItem, start: .toPeriodStart, end: .toPeriodEnd)
        case .meterErrorReported(let report):
            try out.encode(report.eventID, forKey: .event)
            try out.encode(report.created, forKey: .created)
            try out.encodeIfPresent(report.meterID, forKey: .meter)
        case .ambiguousSnapshotTie(let kept, let other):
            try out.encode(kept, forKey: .keptEvent)
            try out.encode(other, forKey: .otherEvent)
        }
    }

    public init(from decoder: any Decoder) throws {
        let values = try decoder.container(keyedBy: CodingKeys.self)
        func period(item: CodingKeys = .item, start: CodingKeys = .periodStart, end: CodingKeys = .periodEnd) throws -> ItemPeriod {
            ItemPeriod(
                itemID: try values.decode(String.self, forKey: item),
                period: BillingPeriod(start: try values.decode(Int64.self, forKey: start), end: try values.decode(Int64.self, forKey: end))
            )
        }
        func timer() throws -> BillingTimerID {
            BillingTimerID(
                subscriptionID: try values.decode(String.self, forKey: .subscription), kind: try values.decode(TimerKind.self, forKey: .timer),
                boundary: try values.decode(Int64.self, forKey: .boundary)
            )
        }
        let type = try values.decode(String.self, forKey: .type)
        switch type {
        case "open_period": self = .openPeriod(try period())
        case "rereport":
            // Rows written before re-reports named their switch cover the period so far, as they did then.
            let period = try period()
            let switchedAt = try values.decodeIfPresent(Int64.self, forKey: .switchedAt) ?? period.period.end
            self = .rereport(Rereport(
                itemID: period.itemID, period: period.period, usageFrom: try values.decodeIfPresent(Int64.self, forKey: .usageFrom) ?? period.period.start,
                switchedAt: switchedAt, billedFrom: try values.decodeIfPresent(Int64.self, forKey: .billedFrom) ?? switchedAt,
                replacedItemID: try values.decodeIfPresent(String.self, forKey: .replacedItem)
            ))
        case "lock_period": self = .lockPeriod(try period())
        case "schedule_timer": self = .scheduleTimer(try timer(), fireAt: try values.decode(Int64.self, forKey: .fireAt))
        case "cancel_timer": self = .cancelTimer(try timer())
        case "flush":
            let period = try period()
            let key = FlushKey(
                subscriptionID: try values.decode(String.self, forKey: .subscription), itemID: period.itemID,
                periodStart: period.period.start,
                reason: try values.decode(FlushReason.self, forKey: .reason)
            )
            self = .flush(UsageFlush(key: key, period: period.period))
        case "switch_mode":
            self = .switchMode(ModeSwitch(
                itemID: try values.decode(String.self, forKey: .item), productID: try values.decodeIfPresent(String.self, forKey: .product),
                from: try values.decode(ReportingMode.self, forKey: .from), to: try values.decode(ReportingMode.self, forKey: .to),
                effectiveAt: try values.decode(Int64.self, forKey: .effectiveAt),
                replacedItemID: try values.decodeIfPresent(String.self, forKey: .replacedItem)
            ))
        case "start_shadow_meter":
            self = .startShadowMeter(itemID: try values.decode(String.self, forKey: .item), until: try values.decode(Int64.self, forKey: .until))
        case "stop_shadow_meter": self = .stopShadowMeter(itemID: try values.decode(String.self, forKey: .item))
        case "carry_usage": self = .carryUsage(UsageCarry(from: try period(), to: try period(item: .toItem, start: .toPeriodStart, end: .toPeriodEnd)))
        case "meter_error_reported":
            self = .meterErrorReported(MeterErrorReport(
                eventID: try values.decode(String.self, forKey: .event), created: try values.decode(Int64.self, forKey: .created),
                meterID: try values.decodeIfPresent(String.self, forKey: .meter)
            ))
        case "ambiguous_snapshot_tie":
            self = .ambiguousSnapshotTie(
                keptEventID: try values.decode(String.self, forKey: .keptEvent), otherEventID: try values.decode(String.self, forKey: .otherEvent)
            )
        default:
            throw DecodingError.dataCorruptedError(forKey: .type, in: values, debugDescription: "unknown billing action type '\(type)'")
        }
    }
}
