import Foundation
import Timekeeping

extension JSONDecoder {
    /// Tandem's JSON, as the API and its files take it: `snake_case` members, date-times in ISO 8601 with or without
    /// a fraction of a second (`2026-12-08T14:03:07Z`, `2026-12-08T14:03:07.250Z`).
    public static var tandem: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        decoder.dateDecodingStrategy = .custom { decoder in
            guard let date = Date(iso8601: try decoder.singleValueContainer().decode(String.self)) else {
                throw DecodingError.dataCorrupted(.init(
                    codingPath: decoder.codingPath, debugDescription: "must be an ISO 8601 date-time such as 2027-01-31T12:00:00Z"
                ))
            }
            return date
        }
        return decoder
    }
}
