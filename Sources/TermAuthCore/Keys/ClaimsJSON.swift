import Foundation

/// Writes a JWT's claims as compact JSON in one pass. Foundation's `JSONEncoder` builds a tree of
/// values first, and for an ID token that took about 8 µs of a code exchange's 190 (perf), the
/// largest part of signing after the signature itself. Claims are strings, integers, booleans
/// and lists of those; a claim set holding anything else (a floating-point number, a date, a
/// nested object) is written by `JSONEncoder` instead, whole.
enum ClaimsJSON {
    static func encode(_ value: some Encodable) throws -> [UInt8] {
        do {
            let writer = Writer()
            try value.encode(to: writer)
            return try writer.finished()
        } catch is Unsupported {
            let encoder = JSONEncoder()
            encoder.dateEncodingStrategy = .secondsSince1970
            return Array(try encoder.encode(value))
        }
    }

    struct Unsupported: Error {}

    /// One JSON value: an object, a list or a scalar, as its container asks.
    final class Writer: Encoder {
        enum Shape { case none, object, list, scalar }
        private var shape = Shape.none
        private var out: [UInt8] = []
        private var members = 0
        /// Set when the value asks for something one pass cannot write; `finished` then throws.
        var unsupported = false
        let codingPath: [any CodingKey] = []
        let userInfo: [CodingUserInfoKey: Any] = [:]

        func container<Key: CodingKey>(keyedBy _: Key.Type) -> KeyedEncodingContainer<Key> {
            begin(.object)
            return KeyedEncodingContainer(Object(writer: self))
        }

        func unkeyedContainer() -> any UnkeyedEncodingContainer {
            begin(.list)
            return List(writer: self)
        }

        func singleValueContainer() -> any SingleValueEncodingContainer {
            begin(.scalar)
            return Scalar(writer: self)
        }

        private func begin(_ wanted: Shape) {
            guard shape == .none else {
                // A second container for the same value: only the tree-building encoder merges those.
                unsupported = true
                return
            }
            shape = wanted
            if wanted == .object { out.append(UInt8(ascii: "{")) }
            if wanted == .list { out.append(UInt8(ascii: "[")) }
        }

        func finished() throws -> [UInt8] {
            guard !unsupported else { throw Unsupported() }
            switch shape {
            case .object: out.append(UInt8(ascii: "}"))
            case .list: out.append(UInt8(ascii: "]"))
            case .scalar: guard !out.isEmpty else { throw Unsupported() }
            case .none: throw Unsupported()
            }
            return out
        }

        // MARK: writing

        func member() {
            if members > 0 { out.append(UInt8(ascii: ",")) }
            members += 1
        }

        func key(_ key: some CodingKey) {
            member()
            string(key.stringValue)
            out.append(UInt8(ascii: ":"))
        }

        func string(_ value: String) {
            out.append(UInt8(ascii: "\""))
            for byte in value.utf8 {
                switch byte {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                    out.append(UInt8(ascii: "\\"))
                    out.append(byte)
                case 0..<0x20:
                    // RFC 8259 §7: control characters escaped; all else is UTF-8 as it is.
                    out.append(contentsOf: "\\u00".utf8)
                    out.append(Self.hex[Int(byte >> 4)])
                    out.append(Self.hex[Int(byte & 0xF)])
                default:
                    out.append(byte)
                }
            }
            out.append(UInt8(ascii: "\""))
        }
        private static let hex = Array("0123456789abcdef".utf8)

        func literal(_ value: Bool) { out.append(contentsOf: (value ? "true" : "false").utf8) }
        func null() { out.append(contentsOf: "null".utf8) }
        func integer(_ value: some BinaryInteger) { out.append(contentsOf: String(value).utf8) }

        /// Types `JSONEncoder` writes its own way rather than through their `encode(to:)`.
        static func refuseSpecial(_ value: some Encodable) throws {
            if value is Date || value is Data || value is Decimal || value is URL { throw Unsupported() }
        }

        /// A value of any other type: written through its own `encode(to:)` into a writer of its own.
        func nested(_ value: some Encodable) throws {
            let inner = Writer()
            try value.encode(to: inner)
            out.append(contentsOf: try inner.finished())
        }
    }

    private struct Object<Key: CodingKey>: KeyedEncodingContainerProtocol {
        let writer: Writer
        var codingPath: [any CodingKey] { [] }

        mutating func encodeNil(forKey key: Key) throws {
            writer.key(key)
            writer.null()
        }
        mutating func encode(_ value: Bool, forKey key: Key) throws {
            writer.key(key)
            writer.literal(value)
        }
        mutating func encode(_ value: String, forKey key: Key) throws {
            writer.key(key)
            writer.string(value)
        }
        mutating func encode(_ value: Double, forKey key: Key) throws { throw Unsupported() }
        mutating func encode(_ value: Float, forKey key: Key) throws { throw Unsupported() }
        mutating func encode(_ value: Int, forKey key: Key) throws { try integer(value, key) }
        mutating func encode(_ value: Int8, forKey key: Key) throws { try integer(value, key) }
        mutating func encode(_ value: Int16, forKey key: Key) throws { try integer(value, key) }
        mutating func encode(_ value: Int32, forKey key: Key) throws { try integer(value, key) }
        mutating func encode(_ value: Int64, forKey key: Key) throws { try integer(value, key) }
        mutating func encode(_ value: UInt, forKey key: Key) throws { try integer(value, key) }
        mutating func encode(_ value: UInt8, forKey key: Key) throws { try integer(value, key) }
        mutating func encode(_ value: UInt16, forKey key: Key) throws { try integer(value, key) }
        mutating func encode(_ value: UInt32, forKey key: Key) throws { try integer(value, key) }
        mutating func encode(_ value: UInt64, forKey key: Key) throws { try integer(value, key) }
        mutating func encode(_ value: some Encodable, forKey key: Key) throws {
            try Writer.refuseSpecial(value)
            writer.key(key)
            try writer.nested(value)
        }

        private func integer(_ value: some BinaryInteger, _ key: Key) throws {
            writer.key(key)
            writer.integer(value)
        }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy _: NestedKey.Type, forKey _: Key) -> KeyedEncodingContainer<NestedKey> {
            writer.unsupported = true
            return KeyedEncodingContainer(Object<NestedKey>(writer: Writer()))
        }
        mutating func nestedUnkeyedContainer(forKey _: Key) -> any UnkeyedEncodingContainer {
            writer.unsupported = true
            return List(writer: Writer())
        }
        mutating func superEncoder() -> any Encoder {
            writer.unsupported = true
            return Writer()
        }
        mutating func superEncoder(forKey _: Key) -> any Encoder {
            writer.unsupported = true
            return Writer()
        }
    }

    private struct List: UnkeyedEncodingContainer {
        let writer: Writer
        var codingPath: [any CodingKey] { [] }
        private(set) var count = 0

        init(writer: Writer) { self.writer = writer }

        private mutating func next() {
            writer.member()
            count += 1
        }

        mutating func encodeNil() throws {
            next()
            writer.null()
        }
        mutating func encode(_ value: Bool) throws {
            next()
            writer.literal(value)
        }
        mutating func encode(_ value: String) throws {
            next()
            writer.string(value)
        }
        mutating func encode(_ value: Double) throws { throw Unsupported() }
        mutating func encode(_ value: Float) throws { throw Unsupported() }
        mutating func encode(_ value: Int) throws { integer(value) }
        mutating func encode(_ value: Int8) throws { integer(value) }
        mutating func encode(_ value: Int16) throws { integer(value) }
        mutating func encode(_ value: Int32) throws { integer(value) }
        mutating func encode(_ value: Int64) throws { integer(value) }
        mutating func encode(_ value: UInt) throws { integer(value) }
        mutating func encode(_ value: UInt8) throws { integer(value) }
        mutating func encode(_ value: UInt16) throws { integer(value) }
        mutating func encode(_ value: UInt32) throws { integer(value) }
        mutating func encode(_ value: UInt64) throws { integer(value) }
        mutating func encode(_ value: some Encodable) throws {
            try Writer.refuseSpecial(value)
            next()
            try writer.nested(value)
        }

        private mutating func integer(_ value: some BinaryInteger) {
            next()
            writer.integer(value)
        }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy _: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
            writer.unsupported = true
            return KeyedEncodingContainer(Object<NestedKey>(writer: Writer()))
        }
        mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
            writer.unsupported = true
            return List(writer: Writer())
        }
        mutating func superEncoder() -> any Encoder {
            writer.unsupported = true
            return Writer()
        }
    }

    private struct Scalar: SingleValueEncodingContainer {
        let writer: Writer
        var codingPath: [any CodingKey] { [] }

        mutating func encodeNil() throws { writer.null() }
        mutating func encode(_ value: Bool) throws { writer.literal(value) }
        mutating func encode(_ value: String) throws { writer.string(value) }
        mutating func encode(_ value: Double) throws { throw Unsupported() }
        mutating func encode(_ value: Float) throws { throw Unsupported() }
        mutating func encode(_ value: Int) throws { writer.integer(value) }
        mutating func encode(_ value: Int8) throws { writer.integer(value) }
        mutating func encode(_ value: Int16) throws { writer.integer(value) }
        mutating func encode(_ value: Int32) throws { writer.integer(value) }
        mutating func encode(_ value: Int64) throws { writer.integer(value) }
        mutating func encode(_ value: UInt) throws { writer.integer(value) }
        mutating func encode(_ value: UInt8) throws { writer.integer(value) }
        mutating func encode(_ value: UInt16) throws { writer.integer(value) }
        mutating func encode(_ value: UInt32) throws { writer.integer(value) }
        mutating func encode(_ value: UInt64) throws { writer.integer(value) }
        mutating func encode(_ value: some Encodable) throws {
            try Writer.refuseSpecial(value)
            try writer.nested(value)
        }
    }
}
