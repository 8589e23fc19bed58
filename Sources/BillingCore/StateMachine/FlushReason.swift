/// Why a flush runs.
public enum FlushReason: String, Sendable, Hashable, Codable, CaseIterable {
    /// `boundaryLead` seconds before a predictable boundary (timer).
    case preBoundary
    /// The boundary has been revealed (subscription update or renewal invoice): meter events
    /// timestamped in the ended period are still billed until the invoice is finalized.
    case lastChance
    /// Just before a predictable boundary (timer), or the item was removed or the subscription ended.
    case final
}
