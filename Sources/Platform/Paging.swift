/// One page of a list, with the cursor for the next page when there is one.
public struct Page<Item: Sendable & Codable & Equatable>: Sendable, Codable, Equatable {
    public var data: [Item]
    public var nextCursor: String?

    public init(data: [Item], nextCursor: String?) {
        self.data = data
        self.nextCursor = nextCursor
    }

    /// Builds a page from `limit + 1` fetched items: the extra one only says that more follow.
    public init(fetched: [Item], limit: Int, cursor: (Item) -> String) {
        if fetched.count > limit {
            let data = Array(fetched.prefix(limit))
            self.init(data: data, nextCursor: data.last.map(cursor))
        } else {
            self.init(data: fetched, nextCursor: nil)
        }
    }
}

/// Paging parameters common to every list.
public struct PageRequest: Sendable, Equatable {
    /// The largest page; a larger `limit` is refused.
    public static let maximumLimit = 500
    public var limit: Int
    public var cursor: String?

    public init(limit: Int? = nil, cursor: String? = nil) throws(ServiceError) {
        let limit = limit ?? 50
        guard (1...Self.maximumLimit).contains(limit) else {
            throw .invalid("limit", "must be between 1 and \(Self.maximumLimit)")
        }
        self.limit = limit
        self.cursor = cursor
    }

    /// Where a list ordered by id resumes: after the cursor, which must be an id of the listed kind, as the list's
    /// `next_cursor` gives (`prefix` and `_`, then ASCII letters, digits and `_`). Any other text is refused
    /// rather than taken as a place in the id order. `nil` starts at the beginning.
    public func idCursor(prefix: String) throws(ServiceError) -> String? {
        guard let cursor else { return nil }
        let isIdCharacter = { (byte: UInt8) in
            (0x61...0x7a).contains(byte) || (0x41...0x5a).contains(byte) || (0x30...0x39).contains(byte) || byte == 0x5f
        }
        guard cursor.hasPrefix(prefix + "_"), cursor.utf8.count <= 64, cursor.utf8.allSatisfy(isIdCharacter) else {
            throw .invalid("cursor", "is not a cursor from a previous page of this list")
        }
        return cursor
    }
}
