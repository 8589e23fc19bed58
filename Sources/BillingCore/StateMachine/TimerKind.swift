/// The two flushes before a predictable boundary.
public enum TimerKind: String, Sendable, Hashable, Codable, CaseIterable {
    /// At boundary − `boundaryLead`.
    case preBoundary
    /// At boundary − `finalFlushMargin`.
    case finalFlush

    /// The flush the timer triggers.
    public var flushReason: FlushReason {
        switch self {
        case .preBoundary: return .preBoundary
        case .finalFlush: return .final
        }
    }
}
