/// `created` as sent: unix seconds in v1 events, an ISO-8601 string in thin (v2) events.
enum EventCreated {
    case seconds(Int64)
    case text(String)

    /// Unix seconds, or `.invalidValue` for a date-time string that does not parse.
    func unixSeconds(eventID: String?) throws(EventDecodingError) -> Int64 {
        switch self {
        case .seconds(let seconds):
            return seconds
        case .text(let text):
            guard let seconds = ISO8601Timestamp.unixSeconds(text) else {
                throw .invalidValue("created", expected: "unix seconds or ISO-8601 date-time", eventID: eventID)
            }
            return seconds
        }
    }
}
